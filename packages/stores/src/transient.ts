// Which failures are worth repeating. A retry only helps when the same call
// can succeed a moment later without anyone changing anything:
//
//   transient   the network (connection refused, reset or timed out, DNS
//               try-again), a server's 5xx, throttling (429, SlowDown), and
//               whatever a backend marks with markTransient (a restic
//               repository locked by another process, an S3 request timeout);
//   permanent   everything else, and always LifeboatErrors 'usage', 'config',
//               'not-found', 'integrity', 'crypto' and 'aborted': wrong
//               credentials, a missing bucket or repository, a wrong password,
//               an Object Lock refusal, a bad key.
import { isLifeboatError } from '@lifeboat/core';

const marked = new WeakSet<object>();

/** Marks err as transient for isTransient; returns it, for `throw markTransient(…)`. */
export function markTransient<T>(err: T): T {
  if (typeof err === 'object' && err !== null) marked.add(err);
  return err;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const permanentCodes = new Set(['usage', 'config', 'not-found', 'integrity', 'crypto', 'aborted']);
const throttlingNames = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'TimeoutError',
]);

/** True when err (or an error in its cause chain) is a failure a retry may fix; see the file comment. */
export function isTransient(err: unknown): boolean {
  if (isLifeboatError(err) && permanentCodes.has(err.code)) return false;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (marked.has(e)) return true;
    const { code, name, $metadata } = e as {
      code?: unknown;
      name?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    if (typeof code === 'string' && networkCodes.has(code)) return true;
    if (typeof name === 'string' && throttlingNames.has(name)) return true;
    const status = $metadata?.httpStatusCode;
    // 501 Not Implemented is a missing feature (e.g. SSE without a KMS), not a bad moment.
    if (status !== undefined && ((status >= 500 && status !== 501) || status === 429)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
