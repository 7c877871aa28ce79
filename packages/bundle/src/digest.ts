// sha256 and byte count of data as it flows through, so a payload's digest is
// known when its upload ends, without reading it twice.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';

export interface Digest {
  /** Lower-case hex sha256, as `sha256sum` prints it. */
  hex: string;
  size: number;
}

/** A pass-through stream that digests what passes. */
export class DigestStream extends Transform {
  /**
   * Resolves once all written data has passed (the writable side finished),
   * even if a later stage then fails: it describes these bytes, the pipeline
   * says whether they arrived. Rejects if this stream fails or closes early.
   */
  readonly digest: Promise<Digest>;
  #hash = createHash('sha256');
  #size = 0;
  #result: Digest | undefined;
  #settle!: { resolve: (digest: Digest) => void; reject: (err: unknown) => void };

  constructor() {
    super();
    this.digest = new Promise<Digest>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Callers that only read `result` must not crash the process on a failure.
    this.digest.catch(() => {});
  }

  /** Bytes seen so far: progress while flowing, the total once finished. */
  get size(): number {
    return this.#size;
  }

  /** The digest once all data has passed, undefined before. */
  get result(): Digest | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = { hex: this.#hash.digest('hex'), size: this.#size };
    this.#settle.resolve(this.#result);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#result) {
      this.#settle.reject(
        error ?? new LifeboatError('aborted', 'the stream was closed before all data passed its digest'),
      );
    }
    callback(error);
  }
}
