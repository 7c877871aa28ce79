// zstd decompression in plain JavaScript, for Node versions whose zlib has no
// zstd (before 22.15 / 23.8) — notably older VS Code extension hosts. Slower
// than zlib's (a benchmark is not needed to know that), but it reads the same
// frames; damage is still caught by OpenPGP's integrity check and the
// bundle's per-file sha256, as fzstd does not check zstd's own checksum.
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';

export class JsZstdDecompressor extends Transform {
  readonly #zstd: Decompress;

  constructor() {
    super();
    this.#zstd = new Decompress((chunk) => {
      // fzstd may hand out views of its window, which it reuses: copy.
      if (chunk.length > 0) this.push(Buffer.from(chunk));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.#zstd.push(chunk);
      done();
    } catch (err) {
      done(asZstdError(err));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#zstd.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(asZstdError(err));
    }
  }
}

/** In zlib's shape (a ZSTD_ code), so compressionError() words it for people like zlib's. */
function asZstdError(err: unknown): Error {
  const wrapped = new Error(`zstd: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  return Object.assign(wrapped, { code: 'ZSTD_error_js_decoder' });
}
