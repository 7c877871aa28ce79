// Taking snapshots from etcd over gRPC (Maintenance/Status and Snapshot),
// and the offline source for when etcd is down. The message codecs and the
// error classification stay internal to this folder.
export {
  defaultDialTimeoutMs,
  defaultIdleTimeoutMs,
  EtcdClient,
  type EtcdClientOptions,
} from './client.ts';
export { type Endpoint, parseEndpoints, splitEndpoints } from './endpoints.ts';
export { type OpenRawDbOptions, openRawDb } from './raw-db.ts';
export { type SnapshotSource, SnapshotStream, trailerSize } from './snapshot-stream.ts';
export type { EtcdStatus } from './status.ts';
export type { TlsFiles } from './tls.ts';
