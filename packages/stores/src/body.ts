// Reading a put body: bytes only, an abort stops the wait at once, and the
// body never keeps running after a put gives up on it (a stalled etcd stream
// or a producer blocked on back-pressure would otherwise hang forever).
import { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import type { PutBody } from './store.ts';

/**
 * The body's chunks. Rejects with the abort reason as soon as signal aborts,
 * even while the body is stalled; stops the body when the reader stops early.
 * Not stream.pipeline: it cannot stop waiting on a stalled generator.
 */
export async function* chunksOf(body: PutBody, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const chunks: AsyncIterator<unknown> = body[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await untilAborted(chunks.next(), signal);
      if (next.done) {
        done = true;
        return;
      }
      if (!(next.value instanceof Uint8Array)) {
        throw new LifeboatError('usage', `a store body must yield bytes, not ${typeof next.value}`);
      }
      yield next.value;
    }
  } finally {
    // Not awaited: a stalled generator answers return() only when it moves again.
    if (!done) chunks.return?.().catch(() => {});
  }
}

/** Stops a body that will not be read: destroys a Readable, finishes a generator. */
export function stopBody(body: PutBody): void {
  if (body instanceof Readable) body.destroy();
  else
    body[Symbol.asyncIterator]()
      .return?.()
      .catch(() => {});
}

// Settles like promise, or rejects with the abort reason as soon as signal aborts.
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
