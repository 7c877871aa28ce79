// Gathers small chunks into larger ones. Stages such as zlib (a thread-pool
// round trip per chunk) and openpgp.js (web-stream plumbing per chunk) cost as
// much per chunk as per byte, and etcd streams its snapshot in 32 KiB messages.
import { Transform, type TransformCallback } from 'node:stream';

/** Passes the bytes through in chunks of `size` bytes (the last one shorter); one copy each. */
export function coalesce(size: number): Transform {
  let buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  return new Transform({
    // Counted in bytes on both sides: at most about one chunk waits in each buffer.
    readableHighWaterMark: size,
    writableHighWaterMark: size,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(size - filled, chunk.length - at);
        chunk.copy(buffer, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === size) {
          this.push(buffer);
          // A fresh buffer: the one just pushed now belongs downstream.
          buffer = Buffer.allocUnsafe(size);
          filled = 0;
        }
      }
      callback();
    },
    flush(callback: TransformCallback) {
      callback(null, filled > 0 ? buffer.subarray(0, filled) : undefined);
    },
  });
}
