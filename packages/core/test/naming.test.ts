import { describe, expect, it } from 'vitest';
import { backupId, backupKeys, LifeboatError, parseBackupId, parseBackupKey } from '../src/index.ts';

describe('backup ids', () => {
  it('are the UTC start time to the second', () => {
    expect(backupId(new Date('2026-11-21T14:30:05.987Z'))).toBe('20261121T143005Z');
  });

  it('round-trip through parseBackupId', () => {
    const at = new Date('2024-02-29T23:59:59Z');
    expect(parseBackupId(backupId(at)).toISOString()).toBe(at.toISOString());
  });

  it.each(['20261121T143005', '2026-11-21T14:30:05Z', '20261341T000000Z', '20260230T000000Z', ''])(
    'refuse %j',
    (id) => {
      expect(() => parseBackupId(id)).toThrow(LifeboatError);
    },
  );
});

describe('backup keys', () => {
  const ref = { cluster: 'prod-eu', node: 'cp-1', id: '20261121T143005Z' };

  it('lay out payload, metadata and signature side by side', () => {
    expect(backupKeys('/lifeboat/', ref, 'zstd')).toEqual({
      dir: 'lifeboat/prod-eu/cp-1',
      payload: 'lifeboat/prod-eu/cp-1/20261121T143005Z.tar.zst.pgp',
      metadata: 'lifeboat/prod-eu/cp-1/20261121T143005Z.json',
      signature: 'lifeboat/prod-eu/cp-1/20261121T143005Z.json.asc',
    });
    expect(backupKeys('', ref, 'gzip').payload).toBe('prod-eu/cp-1/20261121T143005Z.tar.gz.pgp');
  });

  it('parse back into their parts', () => {
    const keys = backupKeys('a/b', ref, 'none');
    expect(parseBackupKey(keys.payload)).toEqual({ ...ref, kind: 'payload', compression: 'none' });
    expect(parseBackupKey(keys.metadata)).toEqual({ ...ref, kind: 'metadata' });
    expect(parseBackupKey(keys.signature)).toEqual({ ...ref, kind: 'signature' });
    expect(parseBackupKey('prod-eu/cp-1/notes.txt')).toBeUndefined();
    expect(parseBackupKey('prod-eu/cp-1/20261121T143005Z.json.tmp')).toBeUndefined();
  });

  it.each(['../etc', 'CP-1', 'a/b', 'a;rm -rf /', '-x', ''])('refuse node name %j', (node) => {
    expect(() => backupKeys('', { ...ref, node }, 'zstd')).toThrow(/node name/);
  });
});
