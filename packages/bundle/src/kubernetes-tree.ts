// Walks a node's /etc/kubernetes in a stable order (sorted by name, parents
// before children) and yields what a bundle keeps: files, directories and
// symlinks (never followed; the target is recorded). Sockets, FIFOs and
// devices are skipped with a note. Files are opened only when read at pack
// time, and a file whose size changes while it is read fails the backup.
import { type BigIntStats, createReadStream, constants as fsConstants } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { ioError as ioErrorWithHints, io as ioWithHints } from './io-error.ts';

export interface TreeEntry {
  /** Path relative to the root, `/`-separated; '' for the root itself. */
  path: string;
  /** Where it is on disk. */
  absolute: string;
  type: 'file' | 'directory' | 'symlink';
  stats: BigIntStats;
  /** A symlink's target, as stored (not resolved). */
  target?: string;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface WalkOptions {
  /** Called for every entry that is not kept (socket, FIFO, device). */
  onSkip?: (skipped: SkippedEntry) => void;
}

/** Entries under `root`, depth first, names sorted by their bytes (as `LC_ALL=C ls`). */
export async function* walkTree(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry> {
  // The root itself may be a symlink (some distributions link /etc/kubernetes); follow it.
  const stats = await io(`read the Kubernetes directory ${root}`, () => stat(root, { bigint: true }));
  if (!stats.isDirectory()) {
    throw new LifeboatError(
      'usage',
      `${root} is not a directory: point --kubernetes-dir at the node's /etc/kubernetes`,
    );
  }
  yield { path: '', absolute: root, type: 'directory', stats };
  yield* walkDirectory(root, '', options);
}

async function* walkDirectory(
  absolute: string,
  relative: string,
  options: WalkOptions,
): AsyncGenerator<TreeEntry> {
  const names = await io(`list ${absolute}`, () => readdir(absolute));
  names.sort(compareBytes);
  for (const name of names) {
    const path = relative === '' ? name : `${relative}/${name}`;
    const full = join(absolute, name);
    const stats = await io(`read ${full}`, () => lstat(full, { bigint: true }));
    if (stats.isFile()) {
      yield { path, absolute: full, type: 'file', stats };
    } else if (stats.isDirectory()) {
      yield { path, absolute: full, type: 'directory', stats };
      yield* walkDirectory(full, path, options);
    } else if (stats.isSymbolicLink()) {
      const target = await io(`read the symlink ${full}`, () => readlink(full));
      yield { path, absolute: full, type: 'symlink', stats, target };
    } else {
      options.onSkip?.({
        path,
        reason: `${kindOf(stats)} skipped: a backup keeps files, directories and symlinks`,
      });
    }
  }
}

/**
 * The content of a file entry, checked to be exactly the size it had when
 * walked: a file rewritten mid-backup would give an inconsistent copy.
 * Symlinks swapped in since the walk are not followed (O_NOFOLLOW).
 */
export function readTreeFile(entry: TreeEntry, name = entry.absolute): Readable {
  const expected = Number(entry.stats.size);
  let seen = 0;
  const changed = (why: string) =>
    new LifeboatError(
      'io',
      `${name} ${why} while it was being backed up; retry when it is not being written`,
    );
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > expected) callback(changed(`grew past its ${expected} bytes`));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(seen === expected ? null : changed(`shrank from ${expected} to ${seen} bytes`));
    },
  });
  // Numeric flags are what fs.open takes; @types/node only types the string forms.
  const flags = (fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW) as unknown as string;
  const file = createReadStream(entry.absolute, { flags });
  file.on('error', (err) => check.destroy(ioError(`read ${name}`, err)));
  check.on('close', () => file.destroy());
  return file.pipe(check);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function kindOf(stats: BigIntStats): string {
  if (stats.isSocket()) return 'socket';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  return 'special file';
}

// Reading /etc/kubernetes: what usually went wrong, in the admin's terms.
const treeHints = {
  EACCES: 'permission denied (the agent reads /etc/kubernetes as root)',
  EPERM: 'permission denied (the agent reads /etc/kubernetes as root)',
  ENOENT: 'it does not exist (check --kubernetes-dir)',
  ELOOP: 'it was replaced by a symlink while being backed up',
};

function io<T>(what: string, action: () => Promise<T>): Promise<T> {
  return ioWithHints(what, action, treeHints);
}

function ioError(what: string, err: unknown): LifeboatError {
  return ioErrorWithHints(what, err, treeHints);
}
