// A Readable fed by an async function that pushes chunks and waits whenever
// the consumer is behind, so memory stays at the consumer's buffer plus one
// chunk. Destroying the Readable (a failing downstream stage, a pipeline's
// abort) aborts the signal handed to the producer, which must use it to stop
// whatever it is waiting on — unlike Readable.from, whose teardown waits for
// a stalled producer.
import { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';

/** Resolves when the consumer can take more; rejects once the stream is destroyed. */
export type Push = (chunk: Buffer) => Promise<void>;

export interface Produced<T> {
  stream: Readable;
  /** The producer's outcome; rejects when it fails or the stream is destroyed before the end. */
  done: Promise<T>;
}

export function produce<T>(run: (push: Push, signal: AbortSignal) => Promise<T>): Produced<T> {
  const controller = new AbortController();
  let wake: (() => void) | undefined;
  let started = false;
  let settle!: { resolve: (value: T) => void; reject: (err: unknown) => void };
  const done = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers that only follow the stream must not crash on an unobserved rejection.
  done.catch(() => {});

  const push: Push = async (chunk) => {
    controller.signal.throwIfAborted();
    if (!stream.push(chunk)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      controller.signal.throwIfAborted();
    }
  };

  const stream = new Readable({
    read() {
      const resume = wake;
      wake = undefined;
      resume?.();
      if (started) return;
      started = true;
      run(push, controller.signal).then(
        (value) => {
          if (controller.signal.aborted) {
            settle.reject(controller.signal.reason);
            return;
          }
          stream.push(null);
          settle.resolve(value);
        },
        (err: unknown) => {
          // A producer that fails because the stream was destroyed reports why it was destroyed.
          const error = controller.signal.aborted ? controller.signal.reason : err;
          settle.reject(error);
          stream.destroy(error as Error);
        },
      );
    },
    destroy(err, callback) {
      if (!controller.signal.aborted) {
        controller.abort(
          err ?? new LifeboatError('aborted', 'the stream was closed by its consumer before it ended'),
        );
      }
      // A producer that never started has nothing to stop, but still has an outcome.
      if (!started) settle.reject(controller.signal.reason);
      const resume = wake;
      wake = undefined;
      resume?.();
      callback(err);
    },
  });
  return { stream, done };
}
