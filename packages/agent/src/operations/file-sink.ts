// A Writable to a file that copies incoming chunks into one of two fixed
// buffers and writes each full buffer (1 MiB) with one call from the thread
// pool while the other fills.
//
// Why: fs.WriteStream writes whatever is queued when its previous write
// returns, which for a fast page cache is one 32 KiB gRPC message at a time:
// ~40k thread-pool round trips per GiB, each a wake-up of a pool thread and a
// callback on the main thread. And a chunk that waits in a write queue lives
// across minor GCs, is promoted, and then waits for a full GC to be freed
// (ADR 005): copied at once, a gRPC message dies young. The copy (memcpy, a
// few tens of ms per GiB) costs less than either.
//
// Memory: the two buffers; a chunk that finds both full waits, holding its
// callback, and with it the Writable's buffer and whatever feeds it
// (backpressure). Bytes reach the file in the order they were written.
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface FileSinkOptions {
  /** Bytes written per call; 1 MiB by default. */
  batchBytes?: number;
  /** fsync before the stream finishes (so 'finish' means durable). */
  flush?: boolean;
  /** Called with each chunk's length as it is accepted. */
  onBytes?: (n: number) => void;
}

type Callback = (error?: Error | null) => void;

export class FileSink extends Writable {
  readonly #handle: FileHandle;
  readonly #flush: boolean;
  readonly #onBytes: ((n: number) => void) | undefined;
  /** The buffer filling, and the other one (being written, or free). */
  #filling: Buffer;
  #other: Buffer;
  #filled = 0;
  /** The write under way, if any; it never rejects (its error lands in #failed). */
  #writing: Promise<void> | undefined;
  #failed: Error | undefined;
  /** The rest of a chunk that found both buffers full, resumed when the write is done. */
  #waiting: (() => void) | undefined;

  constructor(handle: FileHandle, options: FileSinkOptions = {}) {
    const batchBytes = options.batchBytes ?? 1024 * 1024;
    super({ highWaterMark: batchBytes });
    this.#handle = handle;
    this.#flush = options.flush ?? false;
    this.#onBytes = options.onBytes;
    this.#filling = Buffer.allocUnsafeSlow(batchBytes);
    this.#other = Buffer.allocUnsafeSlow(batchBytes);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.#onBytes?.(chunk.length);
    this.#take(chunk, 0, callback);
  }

  #take(chunk: Buffer, offset: number, callback: Callback): void {
    while (offset < chunk.length) {
      if (this.#failed) {
        callback(this.#failed);
        return;
      }
      if (this.#filled === this.#filling.length) {
        if (this.#writing) {
          this.#waiting = () => this.#take(chunk, offset, callback);
          return;
        }
        this.#startWrite();
      }
      const n = chunk.copy(this.#filling, this.#filled, offset);
      this.#filled += n;
      offset += n;
    }
    callback();
  }

  #startWrite(): void {
    const full = this.#filling;
    const length = this.#filled;
    this.#filling = this.#other;
    this.#other = full;
    this.#filled = 0;
    this.#writing = writeAll(this.#handle, full.subarray(0, length)).then(
      () => this.#written(),
      (err: unknown) => {
        this.#failed = err instanceof Error ? err : new Error(String(err));
        this.#written();
      },
    );
  }

  #written(): void {
    this.#writing = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  override _final(callback: Callback): void {
    this.#finish().then(() => callback(), callback);
  }

  async #finish(): Promise<void> {
    await this.#writing;
    if (this.#filled > 0 && !this.#failed) {
      this.#startWrite();
      await this.#writing;
    }
    if (this.#failed) throw this.#failed;
    if (this.#flush) await this.#handle.sync();
  }

  override _destroy(error: Error | null, callback: Callback): void {
    // The handle stays its owner's to close; FileHandle.close() waits for a write under way.
    this.#waiting = undefined;
    this.#filled = 0;
    callback(error);
  }
}

/** Writes the whole buffer (a regular file may take fewer bytes in one call). */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let rest = buffer;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.write(rest);
    if (bytesWritten === 0) throw new Error(`write to ${handle.fd} made no progress`);
    rest = rest.subarray(bytesWritten);
  }
}
