import { describe, expect, it } from 'vitest';
import { compareKeys, isInProgressName, validateKey, validatePrefix } from '../src/index.ts';
import { rejectionCode } from './conformance.ts';

const refuse = (check: (s: string) => string, value: string) => rejectionCode((async () => check(value))());

describe('keys', () => {
  it.each([
    'a',
    'prod/cp-1/20261121T143000Z.json',
    '.hidden',
    'a/.x',
    'x.partial',
    '.partial',
    'a b/ü/\u{1F600}',
  ])('accept %j', (key) => {
    expect(validateKey(key)).toBe(key);
  });

  it.each([
    '',
    '/a',
    'a/',
    'a//b',
    '.',
    '..',
    'a/.',
    'a/..',
    'a\\b',
    'a\0',
    '.a.partial',
    'a/.b.c.partial/d',
  ])('refuse %j with a usage error', async (key) => {
    expect(await refuse(validateKey, key)).toBe('usage');
  });

  it('treat the last segment of a prefix as the start of a name', () => {
    for (const prefix of ['', 'a', 'a/', 'a/.', 'a/..', 'a/.x.partial', '.']) {
      expect(validatePrefix(prefix)).toBe(prefix);
    }
  });

  it.each(['/', '/a', 'a//', 'a//b', '../a', 'a/./b', '.x.partial/', 'a\\', 'a\0'])(
    'refuse prefix %j with a usage error',
    async (prefix) => {
      expect(await refuse(validatePrefix, prefix)).toBe('usage');
    },
  );

  it('reserve dot-names ending in .partial for uploads in progress', () => {
    expect(isInProgressName('.obj.0a1b.partial')).toBe(true);
    expect(isInProgressName('obj.partial')).toBe(false);
    expect(isInProgressName('.obj.partial.json')).toBe(false);
  });

  it('order keys by UTF-8 bytes', () => {
    const keys = ['a/x', 'a.txt', '\u{1F600}', '\uFFFD', 'A', 'a', ''];
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
    // The cases where UTF-16 order differs, so a plain sort would be wrong.
    expect(compareKeys('\uFFFD', '\u{1F600}')).toBeLessThan(0);
    expect('\uFFFD' < '\u{1F600}').toBe(false);
    expect(compareKeys('a.txt', 'a/x')).toBeLessThan(0);
  });
});
