import { describe, expect, it } from 'vitest';
import {
  type Manifest,
  ManifestVerifier,
  manifestFormat,
  parseManifest,
  serializeManifest,
} from '../src/index.ts';
import { SymlinkMap, safeComponents } from '../src/safe-path.ts';

const sha = 'a'.repeat(64);
const manifest: Manifest = {
  format: manifestFormat,
  entries: [
    { path: 'etcd/snapshot.db', type: 'file', mode: '0600', size: 10, sha256: sha },
    { path: 'kubernetes', type: 'directory', mode: '0755' },
    { path: 'kubernetes/link', type: 'symlink', mode: '0777', target: 'pki/ca.crt' },
  ],
};

describe('manifest', () => {
  it('round-trips through its JSON form', () => {
    expect(parseManifest(serializeManifest(manifest), 'm')).toEqual(manifest);
  });

  it.each([
    ['not JSON', '{', 'is not valid JSON'],
    ['another format', JSON.stringify({ ...manifest, format: 'lifeboat.manifest/v9' }), 'newer lifeboat'],
    ['no entries', JSON.stringify({ format: manifestFormat }), 'no "entries" list'],
    [
      'a duplicate',
      JSON.stringify({ ...manifest, entries: [manifest.entries[0], manifest.entries[0]] }),
      'twice',
    ],
    [
      'a bad sha256',
      JSON.stringify({ ...manifest, entries: [{ ...manifest.entries[0], sha256: 'xyz' }] }),
      'sha256',
    ],
    ['a bad mode', JSON.stringify({ ...manifest, entries: [{ ...manifest.entries[1], mode: 493 }] }), 'mode'],
    [
      'an unknown type',
      JSON.stringify({ ...manifest, entries: [{ ...manifest.entries[1], type: 'fifo' }] }),
      'unknown type',
    ],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseManifest(Buffer.from(text), 'lifeboat/manifest.json')).toThrow(
      expect.objectContaining({ code: 'integrity', message: expect.stringContaining(message) }),
    );
  });

  it('verifies what was read, listing the first differences', () => {
    const good = new ManifestVerifier();
    for (const entry of manifest.entries) good.record(entry);
    good.check(manifest);

    const bad = new ManifestVerifier();
    bad.record({ path: 'etcd/snapshot.db', type: 'file', mode: '0600', size: 11, sha256: sha });
    bad.record({ path: 'kubernetes/link', type: 'symlink', mode: '0777', target: '/etc/shadow' });
    bad.record({ path: 'x', type: 'directory', mode: '0700' });
    bad.record({ path: 'y', type: 'directory', mode: '0700' });
    expect(() => bad.check(manifest)).toThrow(
      expect.objectContaining({
        code: 'integrity',
        message: expect.stringContaining(
          'etcd/snapshot.db: 11 bytes, the manifest says 10; kubernetes: missing; kubernetes/link: links to "/etc/shadow", the manifest says "pki/ca.crt" (and 2 more)',
        ),
      }),
    );
    expect(() => bad.record({ path: 'x', type: 'directory', mode: '0700' })).toThrow(/twice/);
  });
});

describe('safe paths', () => {
  it('drops "." components and refuses ".." and absolute paths', () => {
    expect(safeComponents('./kubernetes//pki/./ca.crt')).toEqual(['kubernetes', 'pki', 'ca.crt']);
    expect(safeComponents('./')).toEqual([]);
    expect(() => safeComponents('a/../b')).toThrow(/"\.\." component/);
    expect(() => safeComponents('/etc/passwd')).toThrow(/absolute path/);
  });

  it('resolves links through other links, as the kernel would', () => {
    const links = new SymlinkMap();
    const add = (path: string, target: string) => links.add(path.split('/'), target);
    add('k/ca.crt', 'pki/ca.crt');
    add('k/up', '../k/pki');
    add('k/loop1', 'loop2');
    add('k/loop2', 'loop1');
    add('dot', '.');
    add('escape', 'dot/..');
    add('deep/via', '../dot/../..');
    expect(links.staysInside(['k', 'ca.crt'])).toBe(true);
    expect(links.staysInside(['k', 'up'])).toBe(true);
    expect(links.staysInside(['k', 'loop1'])).toBe(false);
    expect(links.staysInside(['dot'])).toBe(true);
    expect(links.staysInside(['escape'])).toBe(false);
    expect(links.staysInside(['deep', 'via'])).toBe(false);
    expect(links.escaping().sort()).toEqual(['deep/via', 'escape', 'k/loop1', 'k/loop2']);
    expect(links.linkAbove(['k', 'up', 'x'])).toBe('k/up');
    expect(links.linkAbove(['k', 'up'])).toBeUndefined();
  });
});
