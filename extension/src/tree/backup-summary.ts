// What the backups view needs to know about one backup: a slice of its metadata
// object, read without touching the encrypted payload.
export interface BackupSummary {
  /** UTC start time, e.g. 20261121T143000Z. */
  id: string;
  cluster: string;
  node: string;
  createdAt: Date;
  /** Size of the encrypted payload object. */
  payloadBytes: number;
  /** etcd revision the snapshot was taken at; int64 in etcd, hence bigint. */
  revision: number | bigint;
}
