// openpgp.js v6 reads and writes only web streams; the rest of Lifeboat pipes
// Node streams. Both adapters pull one chunk at a time (no read-ahead queue),
// so memory stays bounded by what openpgp.js itself holds, and both carry
// errors and cancellation across the boundary.
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

export interface WebSourceHooks {
  /** Sees every chunk, in order, before openpgp.js does. */
  chunk?(bytes: Uint8Array): void;
  /** Called once when the input has ended cleanly. */
  end?(): void;
  /** Called once with the input's own error, before the web stream errors with it. */
  error?(err: unknown): void;
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`expected a byte stream, got a chunk of type ${typeof chunk}`);
}

/** A web stream reading `input` on demand; cancelling it destroys `input`. */
export function toWebStream(input: Readable, hooks: WebSourceHooks = {}): ReadableStream<Uint8Array> {
  let failed: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = { err };
    hooks.error?.(err);
  };
  // Listen from the start: the iterator below attaches its listeners only on
  // the first read, and an 'error' nobody listens to (say ENOENT from a file
  // stream) would crash the process.
  input.on('error', fail);
  // An input destroyed before it got here would never answer a read.
  if (input.destroyed && !input.readableEnded) {
    fail(input.errored ?? new Error('the input stream was destroyed before it was read'));
  }
  const chunks = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failed) throw failed.err;
        let next: IteratorResult<unknown>;
        try {
          next = await chunks.next();
        } catch (err) {
          fail(err);
          throw failed!.err;
        }
        if (next.done) {
          hooks.end?.();
          controller.close();
          return;
        }
        const bytes = bytesOf(next.value);
        hooks.chunk?.(bytes);
        controller.enqueue(bytes);
      },
      cancel() {
        input.destroy(); // without the reason: it travels downstream already
      },
    },
    { highWaterMark: 0 },
  );
}

/** A Node stream over a web stream; destroying it cancels the web stream. */
export function fromWebStream(stream: ReadableStream<Uint8Array>): Readable {
  // The global and the node:stream/web ReadableStream are one class at run time; only the typings differ.
  return Readable.fromWeb(stream as unknown as NodeReadableStream<Uint8Array>);
}
