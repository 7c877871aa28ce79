import { describe, expect, it } from 'vitest';
import { isTransient, parseDuration } from '../src/index.ts';
import { redact } from '../src/redact.ts';

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['90m', 5_400_000],
    ['45s', 45_000],
    ['1y', 365 * 86_400_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'd', '1.5d', '-1d', '0d', '30 days', '1d 2h'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });
});

describe('redact', () => {
  it('removes user-info from URLs and given secrets', () => {
    expect(redact('rest:https://alice:s3cret@host:8000/repo and https://host/x', ['s3cret'])).toBe(
      'rest:https://***@host:8000/repo and https://host/x',
    );
    expect(redact('password hunter22 leaked', ['hunter22', undefined, 'ab'])).toBe('password *** leaked');
  });
});

describe('isTransient', () => {
  it('looks through the cause chain for network codes and server errors', () => {
    const wrapped = new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) });
    expect(isTransient(wrapped)).toBe(true);
    expect(isTransient({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransient({ $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isTransient({ $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(isTransient(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
