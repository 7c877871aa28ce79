// Every revision in the `key` bucket, oldest first: each write and each
// deletion (tombstone) that compaction has not yet removed. Streams: one leaf
// page in memory at a time.
import type { BoltDb, BucketRef } from '../bbolt/bolt-db.ts';
import { copyKeyValue, decodeKeyValue, type KeyValue } from './key-value.ts';
import { parseRevisionKey, type RevisionKey } from './revision.ts';

export interface RevisionRecord {
  revision: RevisionKey;
  /** For a tombstone, only `key` is set. */
  kv: KeyValue;
}

/** The `key` bucket, or undefined for a db etcd never wrote a key to (no such bucket). */
export async function keyBucket(db: BoltDb): Promise<BucketRef | undefined> {
  return db.bucket('key');
}

/** `copy: false` yields views valid until the next record is requested (see LiveKeysOptions). */
export async function* revisions(
  db: BoltDb,
  options: { copy?: boolean; signal?: AbortSignal } = {},
): AsyncGenerator<RevisionRecord> {
  const bucket = await keyBucket(db);
  if (!bucket) return;
  const where = `${db.path}: bucket key`;
  for await (const entry of db.entries(bucket)) {
    options.signal?.throwIfAborted();
    const revision = parseRevisionKey(entry.key, where);
    // By default a copy: the page the entry sits in is reused once the walk moves on.
    const kv = decodeKeyValue(entry.value, revision);
    yield { revision, kv: options.copy === false ? kv : copyKeyValue(kv) };
  }
}
