// Filesystem failures become one-line LifeboatErrors that name the path, so
// "no space left" reads as that and not as a stack trace from deep in a put.
import { LifeboatError } from '@lifeboat/core';

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when err says a path, or one of its parent folders, does not exist. */
export function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const reasons = new Map([
  ['ENOSPC', 'no space left on device'],
  ['EDQUOT', 'disk quota exceeded'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'read-only file system'],
]);

/** Wraps err from `action` ("writing", "reading", …) on path; LifeboatErrors pass through. */
export function fsError(err: unknown, action: string, path: string): LifeboatError {
  if (err instanceof LifeboatError) return err;
  const why = reasons.get(errorCode(err) ?? '');
  const message =
    why !== undefined
      ? `${why} ${action} ${path}`
      : `${action} ${path} failed: ${err instanceof Error ? err.message : String(err)}`;
  return new LifeboatError('io', message, { cause: err });
}
