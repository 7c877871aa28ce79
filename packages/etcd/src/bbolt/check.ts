// bbolt's own consistency check (tx.Check, which `etcdutl snapshot status`
// runs first), done while walking: every bucket's tree is read in key order,
// each page reached once and only as the type its parent expects, and at the
// end every page below the high-water mark is either reached or free.
import type { BoltDb, BoltEntry, BucketRef } from './bolt-db.ts';
import { damaged, pageWhere } from './damage.ts';
import { freelistIds } from './freelist.ts';
import { PageFlag } from './layout.ts';
import { PageTracker } from './page-tracker.ts';

/**
 * Called for every entry of every bucket, parents before their contents:
 * `path` holds the names of the buckets above the entry (empty for the
 * top-level bucket names themselves).
 */
export type Visitor = (path: readonly Buffer[], entry: BoltEntry) => void;

export interface CheckReport {
  /** Pages below the high-water mark. */
  pages: number;
  /** Pages reached from the meta page (meta, freelist and tree pages). */
  reachable: number;
  /** Free pages (listed on the freelist, or - unpersisted - all pages not reached). */
  free: number;
  /** Buckets, nested ones included (the root bucket is not counted). */
  buckets: number;
  /** Entries of every bucket, bucket entries included. */
  entries: number;
}

/** Walks the whole db once, calling `visit` for each entry, and checks its structure; throws on damage. */
export async function checkBolt(db: BoltDb, visit?: Visitor): Promise<CheckReport> {
  const tracker = db.tracker();
  const { meta } = db;
  let freed: PageTracker | undefined;
  let free = 0;
  if (meta.freelist !== undefined) {
    const page = db.page(meta.freelist, [PageFlag.freelist], `meta page ${meta.page}'s freelist`, tracker);
    freed = new PageTracker(db.path, meta.pgid);
    for (const id of freelistIds(page)) {
      if (!(id >= 2 && id < meta.pgid)) {
        throw damaged(db.path, page.where, `lists free page ${id}, outside 2..${meta.pgid - 1}`);
      }
      if (freed.has(id)) throw damaged(db.path, page.where, `lists page ${id} twice`);
      freed.reach(id, 0, pageWhere(id, db.pageSize), 'the freelist');
      free++;
    }
  }
  const report: CheckReport = { pages: meta.pgid, reachable: 0, free, buckets: 0, entries: 0 };
  await walkBucket(db, db.root(), [], tracker, visit, report);

  for (let id = 0; id < meta.pgid; id++) {
    const reached = tracker.has(id);
    if (reached) report.reachable++;
    if (!freed) continue;
    if (reached && freed.has(id) && id >= 2) {
      throw damaged(db.path, pageWhere(id, db.pageSize), 'is in use but also listed as free');
    }
    if (!reached && !freed.has(id)) {
      throw damaged(db.path, pageWhere(id, db.pageSize), 'is neither reachable nor free');
    }
  }
  if (!freed) report.free = meta.pgid - report.reachable;
  return report;
}

async function walkBucket(
  db: BoltDb,
  bucket: BucketRef,
  path: readonly Buffer[],
  tracker: PageTracker,
  visit: Visitor | undefined,
  report: CheckReport,
): Promise<void> {
  for await (const entry of db.entries(bucket, { tracker })) {
    report.entries++;
    visit?.(path, entry);
    if (!entry.isBucket) continue;
    report.buckets++;
    await walkBucket(db, db.bucketOf(entry, bucket), [...path, entry.key], tracker, visit, report);
  }
}
