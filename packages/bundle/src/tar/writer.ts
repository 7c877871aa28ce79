// Streaming tar writer: entries go out one after another as their bodies
// flow, nothing is buffered beyond an output chunk. A file's size is declared
// up front (tar needs it in the header) and the body must deliver exactly that
// many bytes, or the archive would be corrupt: fewer or more is an 'integrity'
// error naming the entry.
//
// Output goes out in chunks of `chunkBytes` (512 KiB by default): the stages
// after tar (zlib, OpenPGP) cost per chunk as much as per byte, and etcd sends
// 32 KiB messages. Headers, padding and small bodies are copied into the
// chunk being filled, replacing a separate coalescing stage after the tar.
import type { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { abortedError } from '../streams/aborted.ts';
import { type Produced, type Push, produce } from '../streams/produce.ts';
import { encodeHeader } from './encode-header.ts';
import { blockSize, paddingOf, type TarHeader } from './types.ts';

const zeros = Buffer.alloc(blockSize * 2);

export const defaultChunkBytes = 512 * 1024;

export class TarWriter {
  #push: Push;
  #signal: AbortSignal;
  #bytes = 0;
  #ended = false;
  readonly #chunkBytes: number;
  /** The output chunk being filled; a fresh one after each push, since the pushed one is downstream's. */
  #chunk: Buffer;
  #filled = 0;

  constructor(push: Push, signal: AbortSignal, chunkBytes = defaultChunkBytes) {
    this.#push = push;
    this.#signal = signal;
    this.#chunkBytes = chunkBytes;
    this.#chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Writes one entry. A file's body must deliver exactly `header.size` bytes;
   * it is destroyed if the archive fails or is cancelled while it flows.
   */
  async add(header: TarHeader, body?: Readable): Promise<void> {
    if (this.#ended) throw new LifeboatError('usage', `tar entry "${header.path}" added after the end`);
    try {
      await this.#write(encodeHeader(header));
      if (header.type !== 'file') return;
      if (!body && header.size > 0) {
        throw new LifeboatError(
          'usage',
          `tar entry "${header.path}" declares ${header.size} bytes but has no body`,
        );
      }
      const written = body ? await this.#copy(header, body) : 0;
      if (written < header.size) {
        throw new LifeboatError(
          'integrity',
          `tar entry "${header.path}": its data ended after ${written} of the ${header.size} bytes declared (the source was cut short or changed while being read)`,
        );
      }
      await this.#write(zeros.subarray(0, paddingOf(header.size)));
    } catch (err) {
      body?.destroy();
      throw err;
    }
  }

  /** Writes the end-of-archive marker, two zero blocks, and hands over the last chunk. */
  async end(): Promise<void> {
    this.#ended = true;
    await this.#write(zeros);
    if (this.#filled > 0) await this.#push(this.#chunk.subarray(0, this.#filled));
    this.#filled = 0;
  }

  async #copy(header: TarHeader, body: Readable): Promise<number> {
    // A stalled source must not keep a cancelled archive alive.
    const onAbort = () => body.destroy(abortedError(this.#signal, `writing "${header.path}"`));
    if (this.#signal.aborted) onAbort();
    this.#signal.addEventListener('abort', onAbort, { once: true });
    let written = 0;
    try {
      for await (const chunk of body) {
        const data: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        written += data.length;
        if (written > header.size) {
          throw new LifeboatError(
            'integrity',
            `tar entry "${header.path}": its data went on past the ${header.size} bytes declared (the source grew or changed while being read)`,
          );
        }
        await this.#write(data);
      }
    } finally {
      this.#signal.removeEventListener('abort', onAbort);
    }
    return written;
  }

  async #write(data: Buffer): Promise<void> {
    this.#bytes += data.length;
    let at = 0;
    while (at < data.length) {
      const n = Math.min(this.#chunkBytes - this.#filled, data.length - at);
      data.copy(this.#chunk, this.#filled, at, at + n);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#chunkBytes) {
        const full = this.#chunk;
        this.#chunk = Buffer.allocUnsafe(this.#chunkBytes);
        this.#filled = 0;
        await this.#push(full);
      }
    }
  }
}

/**
 * A tar archive as a Readable: `build` adds entries, the end marker follows
 * when it resolves. Destroying the stream cancels `build` (and destroys the
 * body being copied); `done` carries build's result or its failure.
 */
export function createTar<T>(build: (tar: TarWriter, signal: AbortSignal) => Promise<T>): Produced<T> {
  return produce(async (push, signal) => {
    const tar = new TarWriter(push, signal);
    const value = await build(tar, signal);
    await tar.end();
    return value;
  });
}
