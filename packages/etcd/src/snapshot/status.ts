// `etcdutl snapshot status` in TypeScript: the same hash, revision, total
// keys, total size and storage version, computed from the bbolt pages in one
// walk that also runs bbolt's structural check (as etcdutl does first).
//
// 3.5 and 3.6 differ in totalKey: 3.5 counts every entry of every bucket,
// 3.6 counts the live keys (last write per key not a deletion). Both hash,
// with CRC-32C, each top-level bucket name followed by its keys and values in
// order (a nested bucket contributes its key only).
import { LifeboatError } from '@lifeboat/core';
import { BoltDb } from '../bbolt/bolt-db.ts';
import { checkBolt } from '../bbolt/check.ts';
import { crc32c } from './crc32c.ts';
import { KeyHashSet } from './key-hash-set.ts';
import { keyOfKeyValue } from './key-value.ts';
import { parseRevisionKey } from './revision.ts';
import { readStorageVersion } from './storage-version.ts';
import { checkTrailer, type TrailerCheck } from './trailer.ts';

/** Field names and meanings as `etcdutl snapshot status -w json` prints them. */
export interface SnapshotStatus {
  /** CRC-32C of bucket names, keys and values in order. */
  hash: number;
  /** The main revision of the last entry of the `key` bucket. */
  revision: number;
  totalKey: number;
  /** Pages in use times the page size. */
  totalSize: number;
  /** The storage version recorded by etcd 3.6+, "" when absent. */
  version: string;
}

export type StatusSemantics = '3.5' | '3.6';

export interface SnapshotStatusOptions {
  /** Whose totalKey to report; by default 3.6 when the file records a storage version, else 3.5. */
  semantics?: StatusSemantics;
  /** The sha256 trailer: checked when present by default. */
  trailer?: TrailerCheck;
  signal?: AbortSignal;
}

/** The semantics etcdutl of the version that wrote the file would apply. */
export function semanticsFor(storageVersion: string): StatusSemantics {
  return storageVersion === '' ? '3.5' : '3.6';
}

export async function snapshotStatus(
  file: string,
  options: SnapshotStatusOptions = {},
): Promise<SnapshotStatus> {
  const db = await BoltDb.open(file);
  // The trailer is hashed while the pages are walked; whichever fails first stops the other.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // The walk copies the blocks the trailer's worker reads rather than reading them again.
  const trailer = checkTrailer(db, options.trailer ?? 'verify', signal, { shareBlocks: true }).catch(
    (err: unknown) => {
      stop.abort(err); // the walk then throws this same error
      throw err;
    },
  );
  trailer.catch(() => {}); // awaited below; after a failed walk its rejection is moot
  try {
    const version = await readStorageVersion(db);
    const semantics = options.semantics ?? semanticsFor(version);
    const status = await walk(db, semantics, signal);
    db.shareBlocks(undefined); // the trailer's worker need not wait for the walk any more
    await trailer;
    return { ...status, version };
  } finally {
    stop.abort();
    await db.close();
  }
}

async function walk(
  db: BoltDb,
  semantics: StatusSemantics,
  signal?: AbortSignal,
): Promise<Omit<SnapshotStatus, 'version'>> {
  let hash = 0;
  let revision = 0;
  let entries = 0;
  let inKey = false;
  const live = semantics === '3.6' ? new KeyHashSet() : undefined;
  let visited = 0;
  const where = `${db.path}: bucket key`;
  await checkBolt(db, (path, entry) => {
    if ((++visited & 0xffff) === 0) signal?.throwIfAborted();
    if (path.length === 0) {
      if (!entry.isBucket) {
        throw new LifeboatError(
          'integrity',
          `${db.path} is not an etcd database: top-level key ${entry.key.toString('latin1')} is not a bucket`,
        );
      }
      hash = crc32c(hash, entry.key);
      inKey = entry.key.equals(keyBucket);
      return;
    }
    if (path.length > 1) return; // nested buckets' contents: checked, not hashed
    hash = crc32c(hash, entry.key);
    if (!entry.isBucket) hash = crc32c(hash, entry.value);
    entries++;
    if (!inKey) return;
    const rev = parseRevisionKey(entry.key, where);
    revision = rev.main;
    if (live) {
      const key = keyOfKeyValue(entry.value, rev);
      const { slot } = live.insert(key);
      live.setFlag(slot, !rev.tombstone);
    }
  });
  signal?.throwIfAborted();
  return {
    hash,
    revision,
    totalKey: live ? live.countFlagged() : entries,
    totalSize: db.meta.pgid * db.pageSize,
  };
}

const keyBucket = Buffer.from('key');
