// `lifeboat snapshot export`: every key of a snapshot file as one JSON record
// (value in base64 and, where it decodes, the Kubernetes object), streamed in
// the file's revision order: one key in memory at a time whatever the size.
// Records are what etcd holds, not apply-ready manifests (see snapshot get).
import { errorLine } from '@lifeboat/core';
import {
  decodeObject,
  decodeValue,
  type KeyValue,
  type KubernetesObject,
  liveKeys,
  revisions,
  type ValueEncoding,
} from '@lifeboat/etcd';
import { keyText, leaseHex, readSnapshot, type SnapshotReadOptions } from './snapshot-ls.ts';

export interface ExportOptions extends SnapshotReadOptions {
  /** Only etcd keys starting with this. */
  prefix?: string;
  /** Every revision the file still holds (writes and deletions), not only the live keys. */
  allRevisions?: boolean;
}

export interface ExportRecord {
  key: string;
  /** The exact key bytes, only when they are not valid UTF-8 (`key` then cannot carry them). */
  keyBase64?: string;
  /** A deletion (--all-revisions only): no value; modRevision is the deletion's revision. */
  tombstone?: true;
  createRevision?: number;
  modRevision: number;
  version?: number;
  /** Lease id in hex, as etcdctl prints it; absent when none. */
  lease?: string;
  /** The stored bytes, base64. */
  value?: string;
  encoding?: ValueEncoding;
  /** The object as stored (all fields, server-managed ones too), where the value decodes. */
  object?: KubernetesObject;
  /** The object holds only apiVersion, kind and metadata: the rest of its protobuf is not decoded. */
  partial?: true;
  /** Why the value could not be decoded (it is still in `value`). */
  error?: string;
}

export function exportRecord(kv: KeyValue): ExportRecord {
  const key = keyText(kv.key);
  const exact = Buffer.from(key).equals(kv.key);
  const record: ExportRecord = {
    key,
    ...(exact ? {} : { keyBase64: kv.key.toString('base64') }),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
  };
  const lease = leaseHex(kv.lease);
  if (lease) record.lease = lease;
  record.value = kv.value.toString('base64');
  try {
    const decoded = decodeValue(kv.value);
    record.encoding = decoded.encoding;
    if (decoded.encoding === 'protobuf' || decoded.encoding === 'json') {
      const { object, complete } = decodeObject(decoded);
      record.object = object;
      if (!complete) record.partial = true;
    }
  } catch (err) {
    record.error = errorLine(err);
  }
  return record;
}

function tombstoneRecord(kv: KeyValue, revision: number): ExportRecord {
  const key = keyText(kv.key);
  return {
    key,
    ...(Buffer.from(key).equals(kv.key) ? {} : { keyBase64: kv.key.toString('base64') }),
    tombstone: true,
    modRevision: revision,
  };
}

/** The records, oldest revision first. Consume each before asking for the next. */
export function exportSnapshot(file: string, options: ExportOptions = {}): AsyncGenerator<ExportRecord> {
  const prefix = options.prefix ? Buffer.from(options.prefix) : undefined;
  return readSnapshot(file, options, async function* (db, signal) {
    if (!options.allRevisions) {
      // copy: false: each value is encoded and dropped before the next is read.
      const keys = liveKeys(db, { ...(prefix ? { prefix } : {}), copy: false, signal });
      for await (const kv of keys) yield exportRecord(kv);
      return;
    }
    for await (const { revision, kv } of revisions(db, { copy: false, signal })) {
      if (prefix && !(kv.key.length >= prefix.length && kv.key.subarray(0, prefix.length).equals(prefix))) {
        continue;
      }
      yield revision.tombstone ? tombstoneRecord(kv, revision.main) : exportRecord(kv);
    }
  });
}
