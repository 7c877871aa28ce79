// Durations as people and etcdctl write them: "500ms", "5s", "1.5s", "15m",
// "24h", "30d", "1w", "1y", and combinations like "1h30m". One parser for
// every flag and config value that takes one.
import { LifeboatError } from './errors.ts';

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // A year of retention is a calendar promise; 365 days errs on the short side by a day in leap years.
  y: 365 * 86_400_000,
};

const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;

/** Milliseconds, or undefined when `text` is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(part)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]!]!, 0);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Milliseconds (> 0); `what` names the flag or setting in the error. */
export function parseDuration(text: string, what = 'duration'): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new LifeboatError(
      'usage',
      `${what} "${text}" is not a duration: write a number and a unit (ms, s, m, h, d, w, y), e.g. 5s, 24h, 30d or 1h30m`,
    );
  }
  if (ms <= 0 || !Number.isSafeInteger(ms))
    throw new LifeboatError('usage', `${what} "${text}" must be longer than zero`);
  return ms;
}
