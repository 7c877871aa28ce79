// The file:// backend: one file per object under a root folder, keys mapped to
// relative paths. Archives hold CA private keys, so files are 0600 and folders
// 0700 (folders that already exist keep their mode).
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { formatStoreUrl, LifeboatError } from '@lifeboat/core';
import { chunksOf, stopBody } from './body.ts';
import { errorCode, fsError, isMissing } from './fs-error.ts';
import { compareKeys, isInProgressName, validateKey, validatePrefix } from './key.ts';
import type {
  BackupStore,
  GetOptions,
  ObjectInfo,
  ObjectStat,
  PutBody,
  PutOptions,
  PutResult,
} from './store.ts';

const fileMode = 0o600;
const dirMode = 0o700;

export class LocalStore implements BackupStore {
  readonly location: string;
  readonly #root: string;

  /** root need not exist yet: the first put creates it. */
  constructor(root: string) {
    this.#root = resolve(root);
    this.location = formatStoreUrl({ kind: 'file', path: this.#root });
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    let path: string;
    try {
      validateKey(key);
      this.#throwIfAborted(options.signal, 'storing', key);
      path = this.#path(key);
      await makeDir(dirname(path));
    } catch (err) {
      stopBody(body);
      throw err;
    }
    const result = await this.#writeAtomically(key, path, body, options);
    // Only the folder's sync makes the new name survive a crash. Should it
    // fail, put rejects with the complete object in place, as the contract allows.
    await syncDir(dirname(path));
    return result;
  }

  // Writes into a temp file beside path (one filesystem, so rename is atomic),
  // then renames it into place; on any failure removes it and leaves path alone.
  async #writeAtomically(key: string, path: string, body: PutBody, options: PutOptions): Promise<PutResult> {
    const { signal, size: expected } = options;
    // The leading '.' and the '.partial' end keep it out of list.
    const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
    let file: fs.FileHandle | undefined;
    try {
      file = await fs.open(temp, 'wx', fileMode).catch((err: unknown) => {
        stopBody(body);
        throw fsError(err, 'creating', temp);
      });
      const { size, sha256 } = await writeBody(chunksOf(body, signal), file, path);
      if (expected !== undefined && size !== expected) {
        throw new LifeboatError(
          'integrity',
          `the body for ${key} was ${size} bytes where ${expected} were expected`,
        );
      }
      await file.sync().catch((err: unknown) => {
        throw fsError(err, 'syncing', path);
      });
      await file.close();
      file = undefined;
      this.#throwIfAborted(signal, 'storing', key);
      await fs.rename(temp, path).catch((err: unknown) => {
        throw fsError(err, 'renaming into', path);
      });
      return { size, sha256 };
    } catch (err) {
      await file?.close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
      if (signal?.aborted) throw this.#aborted(signal, 'storing', key);
      throw err;
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    validateKey(key);
    const { signal } = options;
    this.#throwIfAborted(signal, 'reading', key);
    const path = this.#path(key);
    let file: fs.FileHandle;
    try {
      file = await fs.open(path, 'r');
    } catch (err) {
      throw isMissing(err) ? this.#notFound(key) : fsError(err, 'opening', path);
    }
    try {
      // A folder opens fine on Linux, but it is not an object.
      if (!(await file.stat()).isFile()) throw this.#notFound(key);
    } catch (err) {
      await file.close();
      throw fsError(err, 'reading', path);
    }
    const stream = file.createReadStream();
    return signal ? addAbortSignal(signal, stream) : stream;
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    validateKey(key);
    const path = this.#path(key);
    try {
      const info = await fs.stat(path);
      return info.isFile() ? { size: info.size, modified: info.mtime } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw fsError(err, 'reading', path);
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    // Start in the deepest folder the prefix names; below it, filter by the prefix.
    const cut = prefix.lastIndexOf('/');
    yield* this.#walk(cut < 0 ? '' : prefix.slice(0, cut), prefix);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const path = this.#path(key);
    try {
      await fs.unlink(path);
    } catch (err) {
      // Nothing there, or a folder, which is not an object: already deleted.
      if (isMissing(err) || errorCode(err) === 'EISDIR') return;
      throw fsError(err, 'deleting', path);
    }
  }

  // Lists folder dirKey ('' for the root) recursively in key order.
  async *#walk(dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const dir = this.#path(dirKey);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw fsError(err, 'listing', dir);
    }
    const children = entries
      .filter((entry) => (entry.isFile() || entry.isDirectory()) && !isInProgressName(entry.name))
      .map((entry) => {
        const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
        // Sorting a folder as "name/" puts "a.txt" before "a/x", as in the full key order.
        return { key, folder: entry.isDirectory(), order: entry.isDirectory() ? `${key}/` : key };
      })
      .filter(({ order }) => order.startsWith(prefix))
      .sort((a, b) => compareKeys(a.order, b.order));
    for (const { key, folder } of children) {
      if (folder) {
        yield* this.#walk(key, prefix);
      } else {
        const info = await this.stat(key);
        // Deleted since readdir: skip it, as if listed a moment later.
        if (info) yield { key, ...info };
      }
    }
  }

  #path(key: string): string {
    return join(this.#root, ...key.split('/'));
  }

  #notFound(key: string): LifeboatError {
    return new LifeboatError('not-found', `no object ${key} in ${this.location}`);
  }

  #aborted(signal: AbortSignal, action: string, key: string): LifeboatError {
    return new LifeboatError('aborted', `${action} ${key} in ${this.location} was aborted`, {
      cause: signal.reason,
    });
  }

  #throwIfAborted(signal: AbortSignal | undefined, action: string, key: string): void {
    if (signal?.aborted) throw this.#aborted(signal, action, key);
  }
}

// Writes chunks to file; write errors name the destination path, body errors pass through as they are.
async function writeBody(
  chunks: AsyncIterable<Uint8Array>,
  file: fs.FileHandle,
  path: string,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.byteLength;
    for (let offset = 0; offset < chunk.byteLength; ) {
      const { bytesWritten } = await file
        .write(chunk, offset, chunk.byteLength - offset)
        .catch((err: unknown) => {
          throw fsError(err, 'writing', path);
        });
      offset += bytesWritten;
    }
  }
  return { size, sha256: hash.digest('hex') };
}

// Creates dir and its missing parents, syncing each new folder's parent so
// the folders, like the file, survive a crash.
async function makeDir(dir: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await fs.mkdir(dir, { recursive: true, mode: dirMode });
  } catch (err) {
    throw fsError(err, 'creating folder', dir);
  }
  if (created === undefined) return;
  for (let folder = dir; folder !== dirname(folder); folder = dirname(folder)) {
    await syncDir(dirname(folder));
    if (folder === created) break;
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fsError(err, 'syncing folder', dir);
  }
}
