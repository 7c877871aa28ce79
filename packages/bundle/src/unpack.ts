// Safe extraction of a bundle into a new directory.
//
// - Everything goes into `<dest>.partial` (created 0700) and is renamed to
//   `<dest>` only once every file matched the manifest; on any failure or
//   cancellation the partial directory is removed. So `<dest>` exists only
//   complete and verified, and a script can trust its presence.
// - Refused (an 'integrity' error, nothing kept): absolute paths, ".."
//   components, entries beneath a symlink, symlinks whose target leads
//   outside dest (resolved through the other links, as the kernel would),
//   devices, FIFOs, hard links, a path that appears twice.
// - Files are created O_EXCL (never through a link) with mode 0600 while written, then
//   get the archive's permission bits without setuid, setgid and sticky
//   (a backup of /etc/kubernetes has no use for them; a hostile archive
//   could plant them). Directories are 0700 while filled and get their
//   archive mode (and mtime) last, so a read-only directory can still be
//   filled. mtimes are kept; owners only with `preserveOwner` (as root).
import {
  chmod,
  type FileHandle,
  lchown,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink, LifeboatError } from '@lifeboat/core';
import { io, ioError } from './io-error.ts';
import { type BundleSummary, type ReadBundleOptions, readBundle } from './read-bundle.ts';
import { refuse, SymlinkMap, safeComponents } from './safe-path.ts';
import { abortedError } from './streams/aborted.ts';
import type { TarHeader } from './tar/types.ts';

export interface UnpackOptions extends ReadBundleOptions {
  /** A directory that does not exist yet, or is empty. */
  dest: string;
  /** Give entries the archive's uid/gid (needs root); default: the extracting user owns them. */
  preserveOwner?: boolean;
  /**
   * Create symlinks whose target leaves dest (e.g. an absolute target some
   * hosts use inside /etc/kubernetes). Nothing is ever written through a
   * link either way; this only allows the link itself.
   */
  allowEscapingSymlinks?: boolean;
}

export interface UnpackResult extends BundleSummary {
  /** The extracted, verified directory (absolute). */
  dest: string;
}

interface Deferred {
  absolute: string;
  header: TarHeader;
}

export async function unpack(source: Readable, options: UnpackOptions): Promise<UnpackResult> {
  const { signal } = options;
  const dest = resolve(options.dest);
  const partial = `${dest}.partial`;
  if (signal?.aborted) {
    source.destroy();
    throw abortedError(signal, 'extracting the bundle');
  }
  try {
    await checkDestination(dest, partial);
    await io(`create ${partial}`, async () => {
      await mkdir(dirname(dest), { recursive: true });
      await mkdir(partial, { mode: 0o700 });
      await chmod(partial, 0o700);
    });
  } catch (err) {
    source.destroy();
    throw err;
  }

  const links = new SymlinkMap();
  const directories: Deferred[] = [];
  try {
    const summary = await readBundle(source, options, async (header, body) => {
      const parts = safeComponents(header.path);
      const above = links.linkAbove(parts);
      if (above !== undefined) refuse(header.path, `it lies beneath the symlink ${JSON.stringify(above)}`);
      if (parts.length === 0) {
        // "./" as GNU tar writes it for the archive root: dest itself, kept 0700.
        if (header.type === 'directory') return;
        refuse(header.path, 'it names the extraction root itself');
      }
      const absolute = join(partial, ...parts);
      await io(`create ${dirname(absolute)}`, () =>
        mkdir(dirname(absolute), { recursive: true, mode: 0o700 }),
      );
      switch (header.type) {
        case 'file':
          await extractFile(absolute, header, body, options);
          return;
        case 'directory':
          await extractDirectory(absolute, header);
          directories.push({ absolute, header });
          return;
        case 'symlink':
          links.add(parts, header.linkname ?? '');
          if (!options.allowEscapingSymlinks && !links.staysInside(parts)) {
            refuse(
              header.path,
              `its target ${JSON.stringify(header.linkname)} leads outside the destination`,
            );
          }
          await extractSymlink(absolute, header, options);
          return;
        default:
          refuse(header.path, `it is a ${header.type}, which a bundle never holds`);
      }
    });
    // Links added later can change where earlier ones lead: check them all again.
    const escaping = options.allowEscapingSymlinks ? [] : links.escaping();
    if (escaping.length > 0)
      refuse(escaping[0]!, 'its target leads outside the destination through other links');
    // Directory modes and times come last: filling a directory changes its mtime,
    // and a read-only mode would have blocked filling it.
    for (const { absolute, header } of directories) {
      await io(`set the mode of ${absolute}`, async () => {
        if (options.preserveOwner) await lchown(absolute, header.uid, header.gid);
        await chmod(absolute, header.mode & 0o777);
        const seconds = toSeconds(header.mtimeNs);
        await utimes(absolute, seconds, seconds);
      });
    }
    await io(`rename ${partial} to ${dest}`, () => rename(partial, dest));
    return { ...summary, dest };
  } catch (err) {
    await removeTree(partial);
    if (signal?.aborted) throw abortedError(signal, 'extracting the bundle');
    throw err;
  }
}

async function extractFile(absolute: string, header: TarHeader, body: Readable, options: UnpackOptions) {
  let handle: FileHandle;
  try {
    // 'wx' is O_CREAT|O_EXCL: fails on anything already there, a symlink included.
    handle = await open(absolute, 'wx', 0o600);
  } catch (err) {
    body.resume();
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      refuse(header.path, 'it appears twice in the archive');
    throw ioError(`create ${absolute}`, err);
  }
  try {
    // Written in place in small slices, as `snapshot save` writes (core's file-sink.ts says why).
    await pipeline(body, new FileSink(handle), options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).syscall === 'string') throw ioError(`write ${absolute}`, err);
    throw err;
  } finally {
    await handle.close().catch(() => {});
  }
  await io(`set the mode of ${absolute}`, async () => {
    if (options.preserveOwner) await lchown(absolute, header.uid, header.gid);
    await chmod(absolute, header.mode & 0o777);
    const seconds = toSeconds(header.mtimeNs);
    await utimes(absolute, seconds, seconds);
  });
}

async function extractDirectory(absolute: string, header: TarHeader) {
  try {
    await mkdir(absolute, { mode: 0o700 });
  } catch (err) {
    // Already created as the parent of an earlier entry: fine, if it is a directory.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`create ${absolute}`, err);
    if (!(await lstat(absolute)).isDirectory()) refuse(header.path, 'it appears twice in the archive');
  }
}

async function extractSymlink(absolute: string, header: TarHeader, options: UnpackOptions) {
  try {
    await symlink(header.linkname ?? '', absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      refuse(header.path, 'it appears twice in the archive');
    throw ioError(`create the symlink ${absolute}`, err);
  }
  await io(`set the time of ${absolute}`, async () => {
    if (options.preserveOwner) await lchown(absolute, header.uid, header.gid);
    const seconds = toSeconds(header.mtimeNs);
    await lutimes(absolute, seconds, seconds);
  });
}

async function checkDestination(dest: string, partial: string): Promise<void> {
  try {
    const names = await readdir(dest);
    if (names.length > 0) {
      throw new LifeboatError('usage', `${dest} is not empty: extract into a new or empty directory`);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new LifeboatError('usage', `${dest} exists and is not a directory`);
    if (code !== 'ENOENT') throw err instanceof LifeboatError ? err : ioError(`read ${dest}`, err);
  }
  const leftover = await lstat(partial).then(
    () => true,
    () => false,
  );
  if (leftover) {
    throw new LifeboatError(
      'usage',
      `${partial} exists, left by an interrupted extraction: remove it and retry`,
    );
  }
}

/** Removes a partial extraction, even one whose directories were already made read-only. */
async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    await makeWritable(path).catch(() => {});
    await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
  }
}

function toSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
