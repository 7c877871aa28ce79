// The facts Maintenance/Status gives about the member a backup talks to, in
// the form people compare with `etcdctl endpoint status -w json`: ids as the
// hex etcdctl prints, sizes and indexes as numbers.
import { LifeboatError } from '@lifeboat/core';
import { hexId, type StatusResponse } from './messages.ts';

export interface EtcdStatus {
  /** The endpoint that answered, e.g. https://127.0.0.1:2379. */
  endpoint: string;
  /** Server version, e.g. "3.6.16". */
  version: string;
  /** Database file size (allocated), bytes. */
  dbSize: number;
  /** Bytes of the database in use (3.4+). */
  dbSizeInUse: number;
  /** Member id of the leader this member sees, hex ("0" when it has none). */
  leader: string;
  memberId: string;
  clusterId: string;
  /** Key-value store revision when Status was answered. */
  revision: number;
  raftTerm: number;
  raftIndex: number;
  raftAppliedIndex: number;
  isLearner: boolean;
  /** Storage version of the db (3.6+). */
  storageVersion?: string;
  /** Alarms and health problems the member reports, e.g. "etcdserver: no leader". */
  errors: string[];
}

function safe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < 0n) {
    throw new LifeboatError(
      'etcd',
      `etcd reported a ${what} of ${value}, beyond what Lifeboat can represent`,
    );
  }
  return Number(value);
}

export function toEtcdStatus(endpoint: string, r: StatusResponse): EtcdStatus {
  const h = r.header ?? { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  return {
    endpoint,
    version: r.version,
    dbSize: safe(r.dbSize, 'db size'),
    dbSizeInUse: safe(r.dbSizeInUse, 'db size in use'),
    leader: hexId(r.leader),
    memberId: hexId(h.memberId),
    clusterId: hexId(h.clusterId),
    revision: safe(h.revision, 'revision'),
    raftTerm: safe(r.raftTerm, 'raft term'),
    raftIndex: safe(r.raftIndex, 'raft index'),
    raftAppliedIndex: safe(r.raftAppliedIndex, 'raft applied index'),
    isLearner: r.isLearner,
    ...(r.storageVersion ? { storageVersion: r.storageVersion } : {}),
    errors: r.errors,
  };
}
