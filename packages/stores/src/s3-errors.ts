// AWS SDK failures as one-line LifeboatErrors that say what to fix: a missing
// bucket, rejected credentials, an unreachable endpoint. The SDK error stays
// the cause (for logs and for isTransient); messages never carry credentials.
import { LifeboatError } from '@lifeboat/core';
import { markTransient } from './transient.ts';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const credentialErrors = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function networkCode(err: SdkError): string | undefined {
  for (let e: SdkError | undefined = err, depth = 0; e && depth < 4; depth++) {
    if (e.code && networkCodes.has(e.code)) return e.code;
    if (e.name === 'TimeoutError') return 'timed out';
    e = e.cause as SdkError | undefined;
  }
  return undefined;
}

/** The HTTP status of an SDK error, when the server answered. */
export function httpStatus(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

/** The S3 error code (NoSuchKey, AccessDenied, …) of an SDK error. */
export function s3ErrorName(err: unknown): string | undefined {
  return (err as SdkError | null)?.name;
}

/**
 * Maps err, from doing `action` ("storing c/n/x in s3://bucket/prefix") on
 * `server` (an endpoint URL, or "AWS S3"), to a LifeboatError 'store' (or
 * 'usage' for missing configuration). LifeboatErrors pass through.
 */
export function s3Error(err: unknown, action: string, server: string, bucket: string): LifeboatError {
  if (err instanceof LifeboatError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = e.message && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  const store = (message: string) => new LifeboatError('store', message, { cause: err });

  const network = networkCode(e);
  if (network) return markTransient(store(`cannot reach ${server} (${network}) while ${action}`));
  if (name === 'NoSuchBucket') return store(`bucket "${bucket}" does not exist at ${server} (${action})`);
  if (credentialErrors.has(name)) return store(`credentials rejected by ${server} (${name}) while ${action}`);
  if (name === 'CredentialsProviderError') {
    return store(
      `no S3 credentials found for ${server}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, web identity or instance metadata (${action})`,
    );
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new LifeboatError(
      'usage',
      `no S3 region for ${server}: add region=… to the store URL or set AWS_REGION (${action})`,
      { cause: err },
    );
  }
  if (name === 'AccessDenied') return store(`access denied while ${action}${detail}`);
  // HEAD answers carry no body, so a 403 there has no code: it is one of the two.
  if (status === 403) return store(`access denied or credentials rejected by ${server} while ${action}`);
  if (name === 'NotImplemented' || status === 501) {
    return store(`${server} does not support what was asked while ${action}${detail}`);
  }
  if (name === 'RequestTimeout') return markTransient(store(`${server} timed out while ${action}`));
  return store(`${action} failed: ${name}${status ? ` (HTTP ${status})` : ''}${detail}`);
}

/** True when err is S3 refusing to delete a version that Object Lock (retention or legal hold) protects. */
export function maybeLockRefusal(err: unknown): boolean {
  const status = httpStatus(err);
  return status === 400 || status === 403;
}
