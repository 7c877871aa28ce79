// One line of `snapshot ls` / the object browser: what a key holds, from the
// key and the start of the value. Never throws: a damaged value is listed
// with its error, so one bad key does not hide the rest of a snapshot.
import { errorLine } from '@lifeboat/core';
import { type DecodedValue, decodeValue, isProtobufEnvelope, type ValueEncoding } from './decode-value.ts';
import { parseRegistryKey, type RegistryKey } from './registry-key.ts';

export interface ObjectSummary {
  key: string;
  /** object, internal (the apiserver's own bookkeeping) or other (not under the prefix / unrecognised). */
  type: RegistryKey['type'];
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  apiVersion?: string;
  kind?: string;
  /** Stored value size in bytes. */
  size: number;
  encoding: ValueEncoding;
  /** Encrypted at rest: provider (aescbc, aesgcm, secretbox, kms) and key / KMS provider name. */
  provider?: string;
  keyName?: string;
  /** Why the value could not be read (code: message). */
  error?: string;
}

export interface SummaryOptions {
  /** kube-apiserver's --etcd-prefix; default /registry. */
  prefix?: string;
}

export function summarize(key: string, value: Uint8Array, options: SummaryOptions = {}): ObjectSummary {
  let decoded: DecodedValue;
  let error: string | undefined;
  try {
    decoded = decodeValue(value);
  } catch (err) {
    error = errorLine(err);
    decoded = { encoding: isProtobufEnvelope(value) ? 'protobuf' : 'json', size: value.length };
  }
  const meta = decoded.metadata;
  const parsed = parseRegistryKey(key, {
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    // Decoded metadata without a namespace means cluster-scoped.
    ...(meta ? { namespace: meta.namespace ?? '' } : {}),
  });
  const summary: ObjectSummary = { key, type: parsed.type, size: value.length, encoding: decoded.encoding };
  if (parsed.type === 'object') {
    summary.resource = parsed.resource;
    if (parsed.group !== undefined) summary.group = parsed.group;
    if (parsed.namespace !== undefined) summary.namespace = parsed.namespace;
    summary.name = parsed.name;
  } else if (parsed.type === 'internal' && parsed.name !== undefined) {
    summary.name = parsed.name;
  }
  if (decoded.apiVersion !== undefined) summary.apiVersion = decoded.apiVersion;
  if (decoded.kind !== undefined) summary.kind = decoded.kind;
  if (decoded.encryption) {
    summary.provider = decoded.encryption.provider;
    if (decoded.encryption.keyName !== undefined) summary.keyName = decoded.encryption.keyName;
  }
  if (error !== undefined) summary.error = error;
  return summary;
}
