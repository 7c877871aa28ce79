// Object keys, checked in one place for every backend, so a key that works
// on S3 also works in a folder and can never name a file outside the store.
import { LifeboatError } from '@lifeboat/core';

// Backends keep uploads in progress under names like this (the local store's
// temp files); reserving them keeps such objects out of listings everywhere.
const inProgress = /^\..*\.partial$/;

/** True for a name reserved for uploads in progress: starts with '.' and ends with '.partial'. */
export function isInProgressName(name: string): boolean {
  return inProgress.test(name);
}

function problem(path: string, lastIsPartial = false): string | undefined {
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.includes('\\')) return 'it contains a backslash; separate folders with "/"';
  if (path.startsWith('/')) return 'it starts with "/"; keys are relative to the store';
  const segments = path.split('/');
  // A prefix's last segment is the start of a name ("." matches ".x"), not a name.
  if (lastIsPartial) segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'it has an empty path segment';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (isInProgressName(segment)) return `"${segment}" is reserved for uploads in progress`;
  }
  return undefined;
}

/** Returns key when it is a valid object key, otherwise throws LifeboatError 'usage'. */
export function validateKey(key: string): string {
  const why = problem(key);
  if (why !== undefined)
    throw new LifeboatError('usage', `object key ${JSON.stringify(key)} is invalid: ${why}`);
  return key;
}

/** True when validateKey accepts key (for names other tools wrote, which are skipped rather than refused). */
export function isValidKey(key: string): boolean {
  return problem(key) === undefined;
}

/**
 * Returns prefix when valid keys can start with it: its folders (all but the
 * text after the last '/') must be valid key segments. Otherwise throws
 * LifeboatError 'usage'. '' is valid and matches every key.
 */
export function validatePrefix(prefix: string): string {
  const why = problem(prefix, true);
  if (why !== undefined)
    throw new LifeboatError('usage', `list prefix ${JSON.stringify(prefix)} is invalid: ${why}`);
  return prefix;
}

/** Orders keys by their UTF-8 bytes, as S3 lists them (differs from `<` for astral characters). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
