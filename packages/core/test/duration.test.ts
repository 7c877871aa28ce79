import { describe, expect, it } from 'vitest';
import { parseDuration, tryParseDuration } from '../src/index.ts';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['30d', 30 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '1 h', 'h', '5sec', '-1s', '1h 30m'])('refuses %j', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text, '--dial-timeout')).toThrow(/--dial-timeout ".*" is not a duration/);
  });

  it('refuses zero', () => {
    expect(() => parseDuration('0s', '--object-lock-retain')).toThrow(/must be longer than zero/);
  });
});
