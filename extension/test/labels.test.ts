import type { ListedBackup } from '@lifeboat/agent/library';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDescription, backupLabel, backupTooltip, formatAge, formatSize } from '../src/tree/labels.ts';
import { metadataFor } from './store-fixtures.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const now = new Date('2026-11-21T14:30:00Z');

const ref = { cluster: 'prod', node: 'cp-1', id: '20261121T113000Z' };
const complete = (payloadBytes: number, revision: number): ListedBackup => {
  const metadata = metadataFor(ref, Buffer.alloc(0), revision);
  metadata.payload.size = payloadBytes;
  return { ...ref, time: '2026-11-21T11:30:00.000Z', state: 'complete', payloadSize: payloadBytes, metadata };
};

describe('backupLabel', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('renders local time as yyyy-mm-dd hh:mm with zero padding', () => {
    expect(backupLabel(new Date(2026, 0, 2, 3, 4, 59))).toBe('2026-01-02 03:04');
    expect(backupLabel(new Date(2026, 11, 31, 23, 59))).toBe('2026-12-31 23:59');
  });

  it.each([
    ['UTC', '2026-11-21 14:30'],
    ['Asia/Kolkata', '2026-11-21 20:00'],
    ['America/Los_Angeles', '2026-11-21 06:30'],
    ['Pacific/Kiritimati', '2026-11-22 04:30'],
  ])('shows the same instant in %s as %s', (tz, label) => {
    process.env.TZ = tz;
    expect(backupLabel(now)).toBe(label);
  });
});

describe('backupDescription', () => {
  it('reads "age · size · rev N"', () => {
    expect(backupDescription(complete(12.4 * MiB, 48213), now)).toBe('3h ago · 12.4 MiB · rev 48213');
  });

  it('says "incomplete" where an unfinished backup has no revision', () => {
    const listed: ListedBackup = {
      ...ref,
      time: '2026-11-21T11:30:00.000Z',
      state: 'incomplete',
      payloadSize: 900,
    };
    expect(backupDescription(listed, now)).toBe('3h ago · 900 B · incomplete');
  });
});

describe('backupTooltip', () => {
  it('carries the whole metadata and the last verification', () => {
    const text = backupTooltip(complete(2 * KiB, 7), {
      ok: false,
      at: new Date('2026-11-21T14:00:00Z'),
      summary: 'payload checksum: payload is 3 bytes',
      deep: false,
    });
    expect(text.split('\n')).toEqual([
      'prod/cp-1 20261121T113000Z',
      'taken 2026-11-21T11:30:00.000Z, finished 2026-11-21T11:30:00.000Z by agent 0.1.0',
      'etcd 3.6.16 at https://10.0.0.11:2379: revision 7, db 24.0 MiB',
      'member 8e9e05c52164694d, cluster cdf818194e3a8c32',
      `snapshot sha256 ${'a'.repeat(64)}`,
      'payload prod/cp-1/20261121T113000Z.tar.zst.pgp: 2.0 KiB (2048 bytes), zstd',
      expect.stringMatching(/^payload sha256 [0-9a-f]{64}$/),
      'encrypted to 0123456789ABCDEF0123456789ABCDEF01234567',
      'not signed',
      '/etc/kubernetes: 42 files, 120.6 KiB',
      'verification FAILED 2026-11-21T14:00:00.000Z: payload checksum: payload is 3 bytes',
    ]);
  });

  it('explains a backup without metadata', () => {
    const listed: ListedBackup = {
      ...ref,
      time: '2026-11-21T11:30:00.000Z',
      state: 'incomplete',
      payloadSize: 10,
      problem: 'no metadata: the run failed or is still uploading',
    };
    expect(backupTooltip(listed)).toBe(
      'prod/cp-1 20261121T113000Z\nincomplete: no metadata: the run failed or is still uploading\npayload 10 B (10 bytes)',
    );
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [12.4 * MiB, '12.4 MiB'],
    [MiB - 1, '1.0 MiB'],
    [1023.94 * KiB, '1023.9 KiB'],
    [8 * GiB, '8.0 GiB'],
    [3.25 * 1024 * GiB, '3.3 TiB'],
    [2 ** 60, '1024.0 PiB'],
    [-1, '? B'],
    [Number.NaN, '? B'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('formatAge', () => {
  it.each([
    [0, 'just now'],
    [59_999, 'just now'],
    [-30_000, 'just now'],
    [minute, '1m ago'],
    [59 * minute + 59_999, '59m ago'],
    [hour, '1h ago'],
    [3 * hour, '3h ago'],
    [47 * hour + 59 * minute, '47h ago'],
    [2 * day, '2d ago'],
    [400 * day, '400d ago'],
    [730 * day, '2y ago'],
    [-5 * minute, 'in 5m'],
    [-3 * hour, 'in 3h'],
  ])('%d ms old is %s', (ageMs, text) => {
    expect(formatAge(new Date(now.getTime() - ageMs), now)).toBe(text);
  });
});
