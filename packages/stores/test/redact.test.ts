import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.ts';

describe('redact', () => {
  it('removes user-info from URLs and given secrets', () => {
    expect(redact('rest:https://alice:s3cret@host:8000/repo and https://host/x', ['s3cret'])).toBe(
      'rest:https://***@host:8000/repo and https://host/x',
    );
    expect(redact('password hunter22 leaked', ['hunter22', undefined, 'ab'])).toBe('password *** leaked');
  });
});
