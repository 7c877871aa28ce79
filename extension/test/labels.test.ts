import { afterEach, describe, expect, it } from 'vitest';
import type { BackupSummary } from '../src/tree/backup-summary.ts';
import { backupDescription, backupLabel, backupTooltip, formatAge, formatSize } from '../src/tree/labels.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const now = new Date('2026-11-21T14:30:00Z');

const backup = (ageMs: number, payloadBytes: number, revision: number | bigint): BackupSummary => ({
  id: '20261121T113000Z',
  cluster: 'prod',
  node: 'cp-1',
  createdAt: new Date(now.getTime() - ageMs),
  payloadBytes,
  revision,
});

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
    expect(backupDescription(backup(3 * hour, 12.4 * MiB, 48213), now)).toBe('3h ago · 12.4 MiB · rev 48213');
  });

  it('prints revisions beyond 2^53 exactly', () => {
    expect(backupDescription(backup(5 * minute, 900, 9007199254740993n), now)).toBe(
      '5m ago · 900 B · rev 9007199254740993',
    );
  });
});

describe('backupTooltip', () => {
  it('gives the UTC time, origin and exact size', () => {
    expect(backupTooltip(backup(3 * hour, 2 * KiB, 7))).toBe(
      'prod/cp-1 20261121T113000Z\ntaken 2026-11-21T11:30:00.000Z\n2.0 KiB encrypted (2048 bytes)\netcd revision 7',
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
