// Key paths come from config: each is a file or a directory mounted from a
// Kubernetes Secret/ConfigMap. Reading failures name the path and say what it
// was meant to hold, since that is what an operator has to fix.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LifeboatError } from '@lifeboat/core';

function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fsError(err: unknown, what: string, path: string): LifeboatError {
  const code = errno(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new LifeboatError('not-found', `${what} ${path} does not exist`, { cause: err });
  }
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String(err);
  return new LifeboatError('io', `cannot read ${what} ${path}: ${why}`, { cause: err });
}

async function statPath(path: string, what: string) {
  try {
    return await stat(path); // follows symlinks: Kubernetes mounts each key as one
  } catch (err) {
    throw fsError(err, what, path);
  }
}

async function filesInDirectory(dir: string, what: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw fsError(err, what, dir);
  }
  // A mounted Secret holds `name -> ..data/name` symlinks next to the hidden
  // `..data` and `..<timestamp>` directories; skipping dot entries and
  // following the symlinks yields every key exactly once.
  const files: string[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    if ((await statPath(path, what)).isFile()) files.push(path);
  }
  return files;
}

/** Expands files and directories into the regular files to read, in a stable order. */
export async function listKeyFiles(paths: readonly string[], what: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await statPath(path, what);
    if (info.isDirectory()) files.push(...(await filesInDirectory(path, what)));
    else if (info.isFile()) files.push(path);
    else throw new LifeboatError('config', `${what} ${path} is neither a file nor a directory`);
  }
  return files;
}

export async function readKeyFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fsError(err, what, path);
  }
}
