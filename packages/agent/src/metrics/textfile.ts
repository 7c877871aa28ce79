// node-exporter's textfile collector reads every *.prom file in a directory:
// write to a temporary name there and rename, so it never reads half a file.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function textfilePath(dir: string): string {
  return join(dir, 'lifeboat.prom');
}

export async function readTextfile(dir: string): Promise<string | undefined> {
  try {
    return await readFile(textfilePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Atomically replaces DIR/lifeboat.prom; the temp name does not end in .prom, so it is never collected. */
export async function writeTextfile(dir: string, text: string): Promise<string> {
  const target = textfilePath(dir);
  const tmp = join(dir, `.lifeboat.prom.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return target;
}
