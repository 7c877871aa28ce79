// One shape for cancellation: an 'aborted' LifeboatError that names what was
// cancelled and keeps the signal's reason as its cause.
import { LifeboatError } from '@lifeboat/core';

export function abortedError(signal: AbortSignal | undefined, what: string): LifeboatError {
  const reason: unknown = signal?.reason;
  if (reason instanceof LifeboatError && reason.code === 'aborted') return reason;
  return new LifeboatError('aborted', `${what} was cancelled`, { cause: reason });
}
