import { backupId, backupKeys } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { type CatalogEntry, catalog, planRetention } from '../src/index.ts';

const hour = 3600_000;
const now = new Date('2026-11-21T12:00:00Z');

/** A listing of backups of one node taken every `everyHours`, newest `count` of them. */
async function backups(count: number, everyHours: number, node = 'cp-1'): Promise<CatalogEntry[]> {
  const objects = [];
  for (let i = 0; i < count; i++) {
    const keys = backupKeys(
      '',
      { cluster: 'prod', node, id: backupId(new Date(now.getTime() - i * everyHours * hour)) },
      'zstd',
    );
    objects.push(
      { key: keys.payload, size: 10, modified: now },
      { key: keys.metadata, size: 1, modified: now },
    );
  }
  return catalog(objects);
}

const ids = (items: { backup: CatalogEntry }[]) => items.map((i) => i.backup.id).sort();

describe('retention', () => {
  it('keeps the newest N with keepLast and deletes the rest', async () => {
    const all = await backups(10, 1);
    const plan = planRetention(all, { keepLast: 3 }, now);
    expect(plan.keep).toHaveLength(3);
    expect(plan.delete).toHaveLength(7);
    expect(ids(plan.keep)).toEqual(
      all
        .slice(0, 3)
        .map((b) => b.id)
        .sort(),
    );
  });

  it('keeps one per day for keepDaily days, the newest of each day', async () => {
    const all = await backups(24 * 5, 1); // hourly for five days
    const plan = planRetention(all, { keepDaily: 3 }, now);
    const kept = plan.keep.map((i) => i.backup);
    expect(kept).toHaveLength(3);
    const days = kept.map((b) => b.time.toISOString().slice(0, 10));
    expect(new Set(days).size).toBe(3);
    // The newest of each kept day: no other backup of that day is newer.
    for (const b of kept) {
      const sameDay = all.filter(
        (x) => x.time.toISOString().slice(0, 10) === b.time.toISOString().slice(0, 10),
      );
      expect(b.time.getTime()).toBe(Math.max(...sameDay.map((x) => x.time.getTime())));
    }
  });

  it('combines rules: a backup kept by any rule stays, with its reasons', async () => {
    const all = await backups(24 * 40, 1);
    const plan = planRetention(all, { keepLast: 2, keepDaily: 7, keepWeekly: 4, keepMonthly: 2 }, now);
    const newest = plan.keep.find((i) => i.backup.id === all[0]!.id)!;
    expect(newest.reasons).toEqual(expect.arrayContaining(['last', 'newest complete']));
    expect(newest.reasons.some((r) => r.startsWith('daily'))).toBe(true);
    expect(plan.keep.length + plan.delete.length).toBe(all.length);
    expect(plan.keep.length).toBeLessThanOrEqual(2 + 7 + 4 + 2);
    expect(plan.keep.length).toBeGreaterThanOrEqual(7);
  });

  it('never deletes the newest complete backup, even with all rules at zero', async () => {
    const all = await backups(4, 1);
    const plan = planRetention(all, { keepLast: 0, keepDaily: 0 }, now);
    expect(ids(plan.keep)).toEqual([all[0]!.id]);
  });

  it('deletes nothing without a rule', async () => {
    const plan = planRetention(await backups(5, 1), {}, now);
    expect(plan.delete).toHaveLength(0);
  });

  it('plans each node on its own', async () => {
    const all = [...(await backups(3, 1, 'cp-1')), ...(await backups(3, 1, 'cp-2'))];
    const plan = planRetention(all, { keepLast: 1 }, now);
    expect(plan.keep.map((i) => i.backup.node).sort()).toEqual(['cp-1', 'cp-2']);
  });

  it('treats a payload without metadata as incomplete: kept during the grace period, deleted after', async () => {
    const fresh = backupKeys(
      '',
      { cluster: 'prod', node: 'cp-1', id: backupId(new Date(now.getTime() - hour)) },
      'zstd',
    );
    const stale = backupKeys(
      '',
      { cluster: 'prod', node: 'cp-1', id: backupId(new Date(now.getTime() - 48 * hour)) },
      'zstd',
    );
    const all = await catalog([
      { key: fresh.payload, size: 1, modified: now },
      { key: stale.payload, size: 1, modified: now },
      ...(await backups(1, 1)).flatMap((b) => b.keys.map((key) => ({ key, size: 1, modified: now }))),
    ]);
    expect(all.filter((b) => !b.complete)).toHaveLength(2);
    const plan = planRetention(all, { keepLast: 5 }, now);
    expect(plan.delete.map((i) => i.backup.keys)).toEqual([[stale.payload]]);
    expect(plan.keep.some((i) => i.backup.keys.includes(fresh.payload))).toBe(true);
  });

  it('refuses a negative rule', () => {
    expect(() => planRetention([], { keepDaily: -1 })).toThrow(/keepDaily/);
  });
});
