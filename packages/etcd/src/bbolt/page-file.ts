// A bbolt file read through positioned reads and a small block cache, never
// loaded whole: a db may be 8 GiB while memory stays a few MiB. Reads are
// synchronous (a page-cache hit costs a memcpy, no thread-pool round trip) and
// copy into buffers the caller owns, so cache blocks can be recycled without
// any view into them outliving its block: no garbage per block read.
import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { LifeboatError } from '@lifeboat/core';
import { type SharedBlocks, sharedBlockSize } from './shared-blocks.ts';

const blockSize = sharedBlockSize;
/** 32 blocks: 8 MiB of cache, enough for the branch pages of a large db plus read-ahead. */
const defaultBlocks = 32;
/** Longer reads bypass the cache (and would evict most of it). */
const maxCachedRun = 4 * blockSize;

export interface PageFileOptions {
  /**
   * Cache size in 256 KiB blocks (default 32). A walk of a bucket keeps its branch pages in
   * buffers of its own, so a few blocks of read-ahead serve it as well; the cache matters
   * for key lookups (each descends from the root).
   */
  cacheBlocks?: number;
}

export class PageFile {
  readonly path: string;
  readonly size: number;
  readonly #handle: FileHandle;
  /** Block index → bytes, least recently used first (Map keeps insertion order). */
  readonly #blocks = new Map<number, Buffer>();
  /** Blocks another thread is reading anyway, copied from there when it has them. */
  #shared: SharedBlocks | undefined;
  readonly #maxBlocks: number;

  private constructor(path: string, handle: FileHandle, size: number, maxBlocks: number) {
    this.path = path;
    this.#handle = handle;
    this.size = size;
    this.#maxBlocks = maxBlocks;
  }

  static async open(path: string, options: PageFileOptions = {}): Promise<PageFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new LifeboatError('not-found', `${path} does not exist`, { cause: err });
      }
      throw new LifeboatError('io', `cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new LifeboatError('usage', `${path} is not a regular file`);
      return new PageFile(path, handle, stat.size, Math.max(1, options.cacheBlocks ?? defaultBlocks));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** `length` bytes at `offset` in a new buffer (for the few reads outside page walks). */
  read(offset: number, length: number): Buffer {
    const target = Buffer.alloc(length);
    this.readInto(target, 0, offset, length);
    return target;
  }

  /**
   * Copies `length` bytes at file `offset` into `target` at `at`; the caller
   * has checked the range lies within the file. Reads of up to `maxCachedRun`
   * go through the cache, block by block; longer ones straight into `target`.
   * A run that crosses a block boundary is still copied from blocks: read
   * directly, its bytes in the next block would be read again when the walk
   * reaches that block's pages (1.25 GiB read for a 1 GiB db).
   */
  readInto(target: Buffer, at: number, offset: number, length: number): void {
    const first = Math.floor(offset / blockSize);
    const last = Math.floor((offset + length - 1) / blockSize);
    if (length > maxCachedRun) {
      this.#readFully(target, at, offset, length);
      return;
    }
    for (let index = first; index <= Math.max(first, last); index++) {
      const base = index * blockSize;
      const from = Math.max(offset, base) - base;
      const to = Math.min(offset + length, base + blockSize) - base;
      if (to > this.#blockLength(index)) this.#pastEnd(offset, length);
      // Straight from the shared ring when it has the block, else through the cache.
      if (this.#shared?.copy(index, target, at + base + from - offset, from, to)) continue;
      this.#block(index).copy(target, at + base + from - offset, from, to);
    }
  }

  /**
   * Takes blocks from `shared` when it holds them; undefined: reads them all
   * here again, and tells the one shared before that this walk needs no more.
   */
  shareBlocks(shared: SharedBlocks | undefined): void {
    if (shared !== this.#shared) this.#shared?.stop();
    this.#shared = shared;
  }

  async close(): Promise<void> {
    this.shareBlocks(undefined);
    this.#blocks.clear();
    await this.#handle.close();
  }

  #block(index: number): Buffer {
    const cached = this.#blocks.get(index);
    if (cached) {
      this.#blocks.delete(index);
      this.#blocks.set(index, cached);
      return cached;
    }
    let buffer: Buffer;
    if (this.#blocks.size >= this.#maxBlocks) {
      const [oldest, recycled] = this.#blocks.entries().next().value!;
      this.#blocks.delete(oldest);
      buffer = recycled;
    } else {
      buffer = Buffer.allocUnsafeSlow(blockSize);
    }
    this.#readFully(buffer, 0, index * blockSize, this.#blockLength(index));
    this.#blocks.set(index, buffer);
    return buffer;
  }

  /** Blocks are full-size buffers; only the file's last one holds fewer valid bytes. */
  #blockLength(index: number): number {
    return Math.max(0, Math.min(blockSize, this.size - index * blockSize));
  }

  #readFully(target: Buffer, at: number, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const read = readSync(this.#handle.fd, target, at + done, length - done, offset + done);
      if (read === 0) this.#pastEnd(offset, length);
      done += read;
    }
  }

  #pastEnd(offset: number, length: number): never {
    throw new LifeboatError(
      'integrity',
      `${this.path} ended before offset ${offset + length} while reading ${length} bytes at ${offset}: truncated`,
    );
  }
}
