// Exact-length reads over a stream of chunks of any size: what a tar reader
// needs (512-byte blocks, then bodies of known length) without buffering more
// than one incoming chunk. Errors are sticky, so the first cause is what every
// later read reports, not a misleading "truncated".
import { LifeboatError } from '@lifeboat/core';

const empty = Buffer.alloc(0);

export class ByteSource {
  #source: AsyncIterable<Uint8Array>;
  #iterator: AsyncIterator<Uint8Array>;
  #pending: Buffer = empty;
  #offset = 0;
  #ended = false;
  #error: unknown;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source;
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Bytes consumed so far: the archive offset of the next read. */
  get offset(): number {
    return this.#offset;
  }

  /** Exactly n bytes; null at a clean end (no byte left); throws if it ends partway. */
  async readExact(n: number, what: () => string): Promise<Buffer | null> {
    if (n === 0) return empty;
    if (!(await this.#fill())) return null;
    if (this.#pending.length >= n) return this.#take(n);
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      if (!(await this.#fill())) throw truncated(what(), this.#offset);
      const part = this.#take(Math.min(n - have, this.#pending.length));
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Up to `max` bytes, as they arrive (no copy); null at the end. */
  async readSome(max: number): Promise<Buffer | null> {
    if (!(await this.#fill())) return null;
    return this.#take(Math.min(max, this.#pending.length));
  }

  /** Discards n bytes; false if the source ends first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const part = await this.readSome(left);
      if (!part) return false;
      left -= part.length;
    }
    return true;
  }

  /** Reads the source to its end (so upstream stages can finish their own checks). */
  async drain(): Promise<void> {
    while (await this.readSome(Number.MAX_SAFE_INTEGER)) {}
  }

  /** Stops the source early, also while a read waits on it. */
  async close(): Promise<void> {
    this.#ended = true;
    this.#pending = empty;
    // A stream is destroyed directly: an iterator's return() would queue behind a pending next().
    const destroy = (this.#source as { destroy?: (err?: Error) => void }).destroy;
    if (typeof destroy === 'function') destroy.call(this.#source);
    else await this.#iterator.return?.();
  }

  #take(n: number): Buffer {
    const part = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    this.#offset += n;
    return part;
  }

  async #fill(): Promise<boolean> {
    if (this.#error !== undefined) throw this.#error;
    while (this.#pending.length === 0) {
      if (this.#ended) return false;
      try {
        const next = await this.#iterator.next();
        if (next.done) {
          this.#ended = true;
          return false;
        }
        const chunk = next.value;
        this.#pending = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      } catch (err) {
        this.#error = err;
        throw err;
      }
    }
    return true;
  }
}

export function truncated(what: string, offset: number): LifeboatError {
  return new LifeboatError(
    'integrity',
    `the archive ends at byte ${offset}, in the middle of ${what}: it is truncated (an interrupted upload or download?)`,
  );
}
