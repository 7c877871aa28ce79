import { isLifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { validateDataDir, validateMemberName, validateMemberUrl } from '../src/index.ts';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isLifeboatError(err, 'usage')).toBe(true);
    const message = (err as Error).message;
    expect(message).not.toMatch(/[\n\r]/);
    return message;
  }
  throw new Error('expected a usage error, got none');
}

describe('validateMemberName', () => {
  it.each(['cp-1', 'CP_1', 'node.example.com', '1', 'a'.repeat(253)])('accepts %s', (name) => {
    expect(validateMemberName(name)).toBe(name);
  });

  it.each([
    'a;rm -rf /',
    '',
    '-cp',
    '.cp',
    'cp 1',
    'cp=1',
    'cp,2',
    'cp\n1',
    '$(id)',
    'cp/1',
    'ünïcode',
    'a'.repeat(254),
  ])('refuses %j with a one-line usage error', (name) => {
    expect(usageMessage(() => validateMemberName(name))).toMatch(
      /etcd member name .* is invalid: use letters/,
    );
  });

  it('shows a name with a line break escaped, so the error stays one line', () => {
    expect(usageMessage(() => validateMemberName('a\nb'))).toContain('"a\\nb"');
  });
});

describe('validateMemberUrl', () => {
  it.each([
    'https://10.0.0.11:2380',
    'http://127.0.0.1:2379',
    'https://etcd-0.etcd.kube-system.svc:2380',
    'https://[fd00::11]:2380',
    'https://host:1',
    'https://host:65535',
  ])('accepts %s', (url) => {
    expect(validateMemberUrl('peer', url)).toBe(url);
  });

  it.each([
    ['10.0.0.11:2380', /not a URL|uses/],
    ['unix:///run/etcd.sock', /uses unix:/],
    ['ftp://host:21', /uses ftp:/],
    ['https://user:pw@host:2380', /credentials/],
    ['https://user@host:2380', /credentials/],
    ['https://host:2380/', /has a path/],
    ['https://host:2380/v3', /has a path/],
    ['https://host:2380?x=1', /query/],
    ['https://host:2380#x', /query or fragment/],
    ['https://host', /no port/],
    ['https://host:65536', /not a URL|1-65535/],
    [' https://host:2380', /plain scheme/],
    ['https://ho\tst:2380', /plain scheme/],
    ['https://host;id:2380', /not a URL|plain scheme/],
    ['https://host:2380\n', /plain scheme|no port/],
  ])('refuses %j', (url, reason) => {
    expect(usageMessage(() => validateMemberUrl('peer', url))).toMatch(reason);
  });

  it('names the kind of URL and shows an example with its usual port', () => {
    expect(usageMessage(() => validateMemberUrl('client', 'https://host'))).toMatch(
      /^client URL "https:\/\/host" has no port; .*:2379$/,
    );
  });
});

describe('validateDataDir', () => {
  it.each(['/var/lib/etcd', '/var/lib/etcd-restored/', '/data/etcd.2026-11-21', '/srv/my etcd'])(
    'accepts %s',
    (dir) => {
      expect(validateDataDir(dir)).toBe(dir);
    },
  );

  it.each([
    ['var/lib/etcd', /not an absolute path/],
    ['', /not an absolute path/],
    ['/var/lib/../../etc', /contains "\.\."/],
    ['/..', /contains "\.\."/],
    ['/var/lib/etcd\n/tmp', /line break/],
    ['/var/lib/etcd\r', /line break/],
    ['/var/lib/\0etcd', /NUL/],
    ['/', /root directory/],
    ['//./', /root directory/],
  ])('refuses %j', (dir, reason) => {
    expect(usageMessage(() => validateDataDir(dir))).toMatch(reason);
  });

  it('allows names that merely contain dots', () => {
    expect(validateDataDir('/var/lib/etcd..old')).toBe('/var/lib/etcd..old');
  });
});
