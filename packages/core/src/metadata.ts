// The cleartext metadata object of a backup (<id>.json): the commit marker,
// written last, listable without reading payloads, never holding a secret.
// Parsed and validated once at the edge; everything inside trusts the type.
import { LifeboatError } from './errors.ts';
import { type Compression, parseBackupId, validateName } from './naming.ts';

export const metadataFormat = 'lifeboat.backup/v1';

export interface EtcdFacts {
  /** The endpoint the snapshot was streamed from. */
  endpoint: string;
  serverVersion: string;
  /** Revision of the snapshot (Status header revision when it was taken). */
  revision: number;
  dbSize: number;
  /** Member and cluster ids as etcdctl prints them (hex). */
  memberId: string;
  clusterId: string;
  /** sha256 of the database as etcd sent it (the snapshot's 32-byte trailer, hex). */
  snapshotSha256: string;
  /** `etcdutl snapshot status` values, when computed (by verify or a drill). */
  hash?: number;
  totalKeys?: number;
}

export interface PayloadFacts {
  /** The payload's object key in the store. */
  key: string;
  /** Bytes of the encrypted payload object, and its sha256 (what `sha256sum` prints). */
  size: number;
  sha256: string;
  compression: Compression;
  /** Fingerprints (v4, upper-case hex) of every recipient the payload is encrypted to. */
  recipients: string[];
  /** Fingerprint of the key that signed the payload and the metadata, if any. */
  signer?: string;
}

export interface BackupMetadata {
  format: typeof metadataFormat;
  id: string;
  cluster: string;
  node: string;
  /** ISO 8601 UTC: when the backup started and when the payload was complete. */
  created: string;
  finished: string;
  agentVersion: string;
  etcd: EtcdFacts;
  payload: PayloadFacts;
  /** The copied /etc/kubernetes tree: how many files and bytes. */
  kubernetes: { files: number; bytes: number };
}

type Json = Record<string, unknown>;

function fail(source: string, field: string, why: string): never {
  throw new LifeboatError('integrity', `${source}: field "${field}" ${why}`);
}

function object(value: unknown, source: string, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(source, field, 'is not an object');
  return value as Json;
}

function string(o: Json, source: string, field: string, prefix: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') fail(source, prefix + field, 'is missing or not a string');
  return v;
}

function integer(o: Json, source: string, field: string, prefix: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(source, prefix + field, 'is not a whole number');
  return v;
}

const hex64 = /^[0-9a-f]{64}$/;
const fingerprint = /^[0-9A-F]{40}$/;
const compressions: readonly Compression[] = ['zstd', 'gzip', 'none'];

/** Validates parsed JSON as backup metadata; `source` names it in errors (a key or path). */
export function parseMetadata(value: unknown, source: string): BackupMetadata {
  const m = object(value, source, '(root)');
  if (m['format'] !== metadataFormat) {
    fail(
      source,
      'format',
      `is ${JSON.stringify(m['format'])}, expected "${metadataFormat}" (written by a newer lifeboat?)`,
    );
  }
  const id = string(m, source, 'id', '');
  try {
    parseBackupId(id);
    validateName('cluster', string(m, source, 'cluster', ''));
    validateName('node', string(m, source, 'node', ''));
  } catch (err) {
    fail(source, 'id/cluster/node', (err as Error).message);
  }
  for (const t of ['created', 'finished']) {
    if (Number.isNaN(Date.parse(string(m, source, t, '')))) fail(source, t, 'is not a date');
  }
  const etcd = object(m['etcd'], source, 'etcd');
  const payload = object(m['payload'], source, 'payload');
  const kubernetes = object(m['kubernetes'], source, 'kubernetes');
  const etcdFacts: EtcdFacts = {
    endpoint: string(etcd, source, 'endpoint', 'etcd.'),
    serverVersion: string(etcd, source, 'serverVersion', 'etcd.'),
    revision: integer(etcd, source, 'revision', 'etcd.'),
    dbSize: integer(etcd, source, 'dbSize', 'etcd.'),
    memberId: string(etcd, source, 'memberId', 'etcd.'),
    clusterId: string(etcd, source, 'clusterId', 'etcd.'),
    snapshotSha256: string(etcd, source, 'snapshotSha256', 'etcd.'),
  };
  if (!hex64.test(etcdFacts.snapshotSha256)) fail(source, 'etcd.snapshotSha256', 'is not a sha256 in hex');
  if (etcd['hash'] !== undefined) etcdFacts.hash = integer(etcd, source, 'hash', 'etcd.');
  if (etcd['totalKeys'] !== undefined) etcdFacts.totalKeys = integer(etcd, source, 'totalKeys', 'etcd.');
  const compression = payload['compression'];
  if (!compressions.includes(compression as Compression))
    fail(source, 'payload.compression', 'is not zstd, gzip or none');
  const recipients = payload['recipients'];
  if (
    !Array.isArray(recipients) ||
    recipients.length === 0 ||
    !recipients.every((r) => fingerprint.test(String(r)))
  ) {
    fail(source, 'payload.recipients', 'is not a non-empty list of key fingerprints');
  }
  const payloadFacts: PayloadFacts = {
    key: string(payload, source, 'key', 'payload.'),
    size: integer(payload, source, 'size', 'payload.'),
    sha256: string(payload, source, 'sha256', 'payload.'),
    compression: compression as Compression,
    recipients: recipients as string[],
  };
  if (!hex64.test(payloadFacts.sha256)) fail(source, 'payload.sha256', 'is not a sha256 in hex');
  if (payload['signer'] !== undefined) {
    const signer = string(payload, source, 'signer', 'payload.');
    if (!fingerprint.test(signer)) fail(source, 'payload.signer', 'is not a key fingerprint');
    payloadFacts.signer = signer;
  }
  return {
    format: metadataFormat,
    id,
    cluster: m['cluster'] as string,
    node: m['node'] as string,
    created: m['created'] as string,
    finished: m['finished'] as string,
    agentVersion: string(m, source, 'agentVersion', ''),
    etcd: etcdFacts,
    payload: payloadFacts,
    kubernetes: {
      files: integer(kubernetes, source, 'files', 'kubernetes.'),
      bytes: integer(kubernetes, source, 'bytes', 'kubernetes.'),
    },
  };
}

/** The exact bytes written as <id>.json (and signed): stable key order, trailing newline. */
export function serializeMetadata(metadata: BackupMetadata): Buffer {
  return Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`, 'utf8');
}
