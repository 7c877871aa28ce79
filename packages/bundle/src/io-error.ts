// Filesystem failures as one actionable line: what we tried, and the reason
// in words (the errno stays in the cause, for logs).
import { LifeboatError } from '@lifeboat/core';

/** Reasons that need more context than the errno, per caller (e.g. which flag to check). */
export type Hints = Partial<Record<string, string>>;

const reasons: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'it does not exist',
};

export function ioError(what: string, err: unknown, hints: Hints = {}): LifeboatError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const reason = hints[code] ?? reasons[code] ?? (err as Error).message;
  return new LifeboatError('io', `cannot ${what}: ${reason}`, { cause: err });
}

/** Runs a filesystem action, turning its failure into an ioError. */
export async function io<T>(what: string, action: () => Promise<T>, hints: Hints = {}): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw ioError(what, err, hints);
  }
}
