// Reading etcd snapshot files without etcd: the bbolt reader underneath, the
// mvcc layer (revisions, live keys) and `snapshot status`.
export { BoltDb, type BoltEntry, type BucketRef } from '../bbolt/bolt-db.ts';
export { type CheckReport, checkBolt, type Visitor } from '../bbolt/check.ts';
export type { Meta } from '../bbolt/meta.ts';
export { crc32c } from './crc32c.ts';
export { copyKeyValue, decodeKeyValue, type KeyValue } from './key-value.ts';
export { type LiveKeysOptions, liveKeys } from './live-keys.ts';
export { parseRevisionKey, type Revision, type RevisionKey } from './revision.ts';
export { keyBucket, type RevisionRecord, revisions } from './revisions.ts';
export {
  type SnapshotStatus,
  type SnapshotStatusOptions,
  type StatusSemantics,
  semanticsFor,
  snapshotStatus,
} from './status.ts';
export { normalizeSemver, readStorageVersion } from './storage-version.ts';
export { checkTrailer, type TrailerCheck, type TrailerState } from './trailer.ts';
