// restic repositories for tests: the current release (built with Go) and
// Debian's 0.14, which older clusters' tooling still ships.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBinary } from './binaries.ts';

const run = promisify(execFile);

export type ResticFlavor = 'current' | 'debian';
export const resticFlavors: ResticFlavor[] = ['current', 'debian'];

export async function resticBinary(flavor: ResticFlavor): Promise<string> {
  return (await ensureBinary(flavor === 'current' ? 'restic' : 'restic-0.14')).restic!;
}

export interface ResticRepo {
  binary: string;
  repository: string;
  password: string;
  /** Environment restic reads: RESTIC_REPOSITORY, RESTIC_PASSWORD, and a private cache dir. */
  env: Record<string, string>;
  restic(args: string[], input?: Buffer | string): Promise<string>;
  version(): Promise<string>;
  remove(): Promise<void>;
}

export async function createResticRepo(flavor: ResticFlavor = 'current'): Promise<ResticRepo> {
  const binary = await resticBinary(flavor);
  const dir = await mkdtemp(join(tmpdir(), `lifeboat-restic-${flavor}-`));
  const repository = join(dir, 'repo');
  const password = 'lifeboat-test-repo-password';
  const env = {
    RESTIC_REPOSITORY: repository,
    RESTIC_PASSWORD: password,
    RESTIC_CACHE_DIR: join(dir, 'cache'),
  };
  const restic = (args: string[], input?: Buffer | string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        binary,
        args,
        { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) =>
          err ? reject(new Error(`restic ${args[0]} failed: ${stderr || err.message}`)) : resolve(stdout),
      );
      child.stdin!.on('error', () => {}); // restic may exit before reading stdin
      if (input !== undefined) child.stdin!.end(input);
      else child.stdin!.end();
    });
  await restic(['init']);
  return {
    binary,
    repository,
    password,
    env,
    restic,
    async version() {
      const { stdout } = await run(binary, ['version']);
      return /restic (\S+)/.exec(stdout)?.[1] ?? stdout.trim();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
