import { LifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { isTransient, markTransient } from '../src/index.ts';

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

  it('honours marks, except on errors that are permanent by their code', () => {
    expect(isTransient(markTransient(new LifeboatError('store', 'locked')))).toBe(true);
    const gone = new LifeboatError('not-found', 'gone', {
      cause: Object.assign(new Error(), { code: 'ECONNRESET' }),
    });
    expect(isTransient(gone)).toBe(false);
  });
});
