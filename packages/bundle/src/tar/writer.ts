// Streaming tar writer: entries go out one after another as their bodies
// flow, nothing is buffered beyond a chunk. A file's size is declared up front
// (tar needs it in the header) and the body must deliver exactly that many
// bytes, or the archive would be corrupt: fewer or more is an 'integrity'
// error naming the entry.
import type { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { abortedError } from '../streams/aborted.ts';
import { type Produced, type Push, produce } from '../streams/produce.ts';
import { encodeHeader } from './encode-header.ts';
import { blockSize, paddingOf, type TarHeader } from './types.ts';

const zeros = Buffer.alloc(blockSize * 2);

export class TarWriter {
  #push: Push;
  #signal: AbortSignal;
  #bytes = 0;
  #ended = false;

  constructor(push: Push, signal: AbortSignal) {
    this.#push = push;
    this.#signal = signal;
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

  /** Writes the end-of-archive marker: two zero blocks. */
  async end(): Promise<void> {
    this.#ended = true;
    await this.#write(zeros);
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
    if (data.length === 0) return;
    await this.#push(data);
    this.#bytes += data.length;
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
