// Durations as people write them in config ("30d", "1w", "12h30m"), for the
// Object Lock retention period; parsed once into milliseconds.
import { LifeboatError } from '@lifeboat/core';

const unitMs: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // A year of retention is a calendar promise; 365 days errs on the short side by a day in leap years.
  y: 365 * 86_400_000,
};

/** Parses "<n><unit>…" with units s, m, h, d, w, y (e.g. "30d", "1d12h") into milliseconds; throws 'usage' otherwise. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+[smhdwy])+$/.test(trimmed)) {
    throw new LifeboatError(
      'usage',
      `"${text}" is not a duration; write a number and a unit (s, m, h, d, w, y), e.g. 30d or 1d12h`,
    );
  }
  let ms = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhdwy])/g)) ms += Number(n) * unitMs[unit!]!;
  if (ms <= 0 || !Number.isSafeInteger(ms)) {
    throw new LifeboatError('usage', `duration "${text}" must be longer than zero and not absurdly long`);
  }
  return ms;
}
