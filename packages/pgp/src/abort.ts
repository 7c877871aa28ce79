// One AbortSignal stops every stage of a backup; each stage reports it the
// same way, so the CLI says "aborted" rather than a stage's own error.
import { addAbortListener } from 'node:events';
import { LifeboatError } from '@lifeboat/core';

export function abortedError(what: string, signal: AbortSignal): LifeboatError {
  return new LifeboatError('aborted', `${what} was aborted`, { cause: signal.reason });
}

/**
 * Runs `stop` once when `signal` aborts (at once if it already has); the
 * returned function removes the listener.
 */
export function onAbort(
  signal: AbortSignal | undefined,
  what: string,
  stop: (err: LifeboatError) => void,
): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    stop(abortedError(what, signal));
    return () => {};
  }
  const listener = addAbortListener(signal, () => stop(abortedError(what, signal)));
  return () => listener[Symbol.dispose]();
}
