// GnuPG 2.2 with a throwaway home directory, for interoperability checks:
// what we encrypt must open with gpg, and what gpg encrypts must open with us.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from './binaries.ts';

export interface Gpg {
  home: string;
  /** Runs gpg in batch mode with this home; input goes to stdin; resolves stdout as bytes. */
  run(args: string[], input?: Uint8Array | string): Promise<Buffer>;
  version(): Promise<string>;
  remove(): Promise<void>;
}

export async function createGpgHome(): Promise<Gpg> {
  const { gpg } = await ensureBinary('gpg');
  const home = await mkdtemp(join(tmpdir(), 'lifeboat-gnupg-'));
  const run = (args: string[], input?: Uint8Array | string) =>
    new Promise<Buffer>((resolve, reject) => {
      const child = execFile(
        gpg!,
        ['--homedir', home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', ...args],
        { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`gpg ${args.join(' ')} failed: ${stderr.toString() || err.message}`))
            : resolve(stdout),
      );
      // gpg may exit without reading its input (e.g. --version): that is not an error.
      child.stdin!.on('error', () => {});
      child.stdin!.end(input ?? '');
    });
  return {
    home,
    run,
    async version() {
      return /gpg \(GnuPG\) (\S+)/.exec((await run(['--version'])).toString())?.[1] ?? 'unknown';
    },
    async remove() {
      // gpg-agent may hold the home open; ask it to leave first.
      await new Promise((r) => execFile('gpgconf', ['--homedir', home, '--kill', 'all'], () => r(undefined)));
      await rm(home, { recursive: true, force: true });
    },
  };
}
