// metav1.ObjectMeta from protobuf to its JSON form. Field numbers from
// k8s.io/apimachinery v0.35.4 pkg/apis/meta/v1/generated.proto.
import { LifeboatError } from '@lifeboat/core';
import { asBool, asBytes, asNumber, asString, fields } from '../protobuf/wire.ts';
import { addStringEntry, readTime } from './proto-values.ts';
import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from './types.ts';

export function decodeObjectMeta(buf: Uint8Array): ObjectMeta {
  const what = 'ObjectMeta';
  const meta: ObjectMeta = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const ownerReferences: OwnerReference[] = [];
  const finalizers: string[] = [];
  const managedFields: ManagedFieldsEntry[] = [];
  for (const f of fields(buf, what)) {
    switch (f.number) {
      case 1:
        setString(meta, 'name', asString(f));
        break;
      case 2:
        setString(meta, 'generateName', asString(f));
        break;
      case 3:
        setString(meta, 'namespace', asString(f));
        break;
      case 4:
        setString(meta, 'selfLink', asString(f));
        break;
      case 5:
        setString(meta, 'uid', asString(f));
        break;
      case 6:
        setString(meta, 'resourceVersion', asString(f));
        break;
      case 7: {
        const generation = asNumber(f);
        if (generation !== 0) meta.generation = generation; // omitempty, like the strings
        break;
      }
      case 8:
        setTime(meta, 'creationTimestamp', readTime(asBytes(f), 'ObjectMeta.creationTimestamp'));
        break;
      case 9:
        setTime(meta, 'deletionTimestamp', readTime(asBytes(f), 'ObjectMeta.deletionTimestamp'));
        break;
      case 10:
        meta.deletionGracePeriodSeconds = asNumber(f);
        break;
      case 11:
        addStringEntry(labels, asBytes(f), 'ObjectMeta.labels');
        break;
      case 12:
        addStringEntry(annotations, asBytes(f), 'ObjectMeta.annotations');
        break;
      case 13:
        ownerReferences.push(decodeOwnerReference(asBytes(f)));
        break;
      case 14:
        finalizers.push(asString(f));
        break;
      case 17:
        managedFields.push(decodeManagedFieldsEntry(asBytes(f)));
        break;
      // Unknown numbers are skipped: newer servers may add fields.
    }
  }
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  if (ownerReferences.length > 0) meta.ownerReferences = ownerReferences;
  if (finalizers.length > 0) meta.finalizers = finalizers;
  if (managedFields.length > 0) meta.managedFields = managedFields;
  return meta;
}

// Go writes every optional string into protobuf, empty or not, while the
// JSON form (omitempty) leaves empty ones out: follow the JSON form.
function setString<T extends object, K extends keyof T>(into: T, field: K, value: string): void {
  if (value !== '') into[field] = value as T[K];
}

function setTime(meta: ObjectMeta, field: 'creationTimestamp' | 'deletionTimestamp', value?: string): void {
  if (value !== undefined) meta[field] = value;
}

/** OwnerReference (its four names have no omitempty): kind = 1, name = 3, uid = 4, apiVersion = 5, controller = 6, blockOwnerDeletion = 7. */
function decodeOwnerReference(buf: Uint8Array): OwnerReference {
  const ref: OwnerReference = { apiVersion: '', kind: '', name: '', uid: '' };
  for (const f of fields(buf, 'ObjectMeta.ownerReferences')) {
    if (f.number === 1) ref.kind = asString(f);
    else if (f.number === 3) ref.name = asString(f);
    else if (f.number === 4) ref.uid = asString(f);
    else if (f.number === 5) ref.apiVersion = asString(f);
    else if (f.number === 6) ref.controller = asBool(f);
    else if (f.number === 7) ref.blockOwnerDeletion = asBool(f);
  }
  return ref;
}

/**
 * ManagedFieldsEntry: manager = 1, operation = 2, apiVersion = 3, time = 4,
 * fieldsType = 6, fieldsV1 = 7 (FieldsV1 {raw = 1}, JSON text), subresource = 8.
 */
function decodeManagedFieldsEntry(buf: Uint8Array): ManagedFieldsEntry {
  const what = 'ObjectMeta.managedFields';
  const entry: ManagedFieldsEntry = {};
  for (const f of fields(buf, what)) {
    if (f.number === 1) setString(entry, 'manager', asString(f));
    else if (f.number === 2) setString(entry, 'operation', asString(f));
    else if (f.number === 3) setString(entry, 'apiVersion', asString(f));
    else if (f.number === 4) {
      const time = readTime(asBytes(f), `${what}.time`);
      if (time !== undefined) entry.time = time;
    } else if (f.number === 6) setString(entry, 'fieldsType', asString(f));
    else if (f.number === 7) entry.fieldsV1 = decodeFieldsV1(asBytes(f));
    else if (f.number === 8) setString(entry, 'subresource', asString(f));
  }
  return entry;
}

function decodeFieldsV1(buf: Uint8Array): unknown {
  for (const f of fields(buf, 'FieldsV1')) {
    if (f.number !== 1) continue;
    const text = asString(f);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new LifeboatError('integrity', 'malformed FieldsV1: raw is not JSON', { cause: err });
    }
  }
  return {};
}
