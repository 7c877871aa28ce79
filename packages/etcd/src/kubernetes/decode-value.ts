// What kube-apiserver stored under a key: a protobuf envelope ("k8s\0" +
// runtime.Unknown), a JSON document (custom resources, CRDs, APIServices),
// a value encrypted at rest, or something else. Reads only as far as type
// and metadata, which is what listings need; decodeObject goes further.
import { LifeboatError } from '@lifeboat/core';
import { asBytes, asString, fields } from '../protobuf/wire.ts';
import { type EncryptionInfo, isEncrypted, parseEncryptionPrefix } from './encryption-prefix.ts';
import { decodeObjectMeta } from './object-meta.ts';
import type { ObjectMeta } from './types.ts';

export type ValueEncoding = 'protobuf' | 'json' | 'encrypted' | 'unknown';

export interface DecodedValue {
  encoding: ValueEncoding;
  /** Stored size in bytes. */
  size: number;
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  /** protobuf: the object's own message (runtime.Unknown.raw), not yet decoded past metadata. */
  raw?: Uint8Array;
  /** json: the stored document, parsed. */
  json?: Record<string, unknown>;
  /** encrypted: who can decrypt it. */
  encryption?: EncryptionInfo;
}

/** kube-apiserver's protobuf serializer prefix (k8s.io/apimachinery runtime/serializer/protobuf). */
const protobufMagic = [0x6b, 0x38, 0x73, 0x00];

export function isProtobufEnvelope(value: Uint8Array): boolean {
  return protobufMagic.every((b, i) => value[i] === b);
}

/**
 * Classifies a stored value and reads its type and metadata. Throws
 * LifeboatError('integrity') when a value that claims a format (magic bytes,
 * a leading '{') does not hold to it; never decrypts.
 */
export function decodeValue(value: Uint8Array): DecodedValue {
  const size = value.length;
  if (isProtobufEnvelope(value)) return { encoding: 'protobuf', size, ...decodeEnvelope(value.subarray(4)) };
  if (isEncrypted(value)) return { encoding: 'encrypted', size, encryption: parseEncryptionPrefix(value) };
  if (firstNonSpace(value) === 0x7b) return { encoding: 'json', size, ...decodeJson(value) };
  return { encoding: 'unknown', size };
}

/** runtime.Unknown: typeMeta = 1 (apiVersion = 1, kind = 2), raw = 2, contentEncoding = 3, contentType = 4. */
function decodeEnvelope(buf: Uint8Array): Pick<DecodedValue, 'apiVersion' | 'kind' | 'metadata' | 'raw'> {
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  let contentEncoding = '';
  for (const f of fields(buf, 'Kubernetes protobuf envelope (runtime.Unknown)')) {
    if (f.number === 1) {
      for (const t of fields(asBytes(f), 'runtime.TypeMeta')) {
        if (t.number === 1) apiVersion = asString(t);
        else if (t.number === 2) kind = asString(t);
      }
    } else if (f.number === 2) raw = asBytes(f);
    else if (f.number === 3) contentEncoding = asString(f);
  }
  if (!kind || !apiVersion) throw integrity('Kubernetes protobuf envelope has no apiVersion/kind');
  if (raw === undefined) throw integrity(`Kubernetes protobuf envelope of ${kind} has no object bytes`);
  // kube-apiserver never sets it; anything else would need a decompressor we do not guess.
  if (contentEncoding) {
    throw integrity(`${kind} uses content encoding '${contentEncoding}', which is not supported`);
  }
  let metadata: ObjectMeta = {};
  // Every top-level object carries ObjectMeta as field 1; walking all fields also checks the framing.
  for (const f of fields(raw, `${apiVersion} ${kind}`)) {
    if (f.number === 1) metadata = decodeObjectMeta(asBytes(f));
  }
  return { apiVersion, kind, metadata, raw };
}

function decodeJson(value: Uint8Array): Pick<DecodedValue, 'apiVersion' | 'kind' | 'metadata' | 'json'> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8'));
  } catch (err) {
    throw new LifeboatError('integrity', `malformed JSON object: ${(err as Error).message}`, { cause: err });
  }
  if (!isRecord(json)) throw integrity('malformed JSON object: not an object');
  const out: Pick<DecodedValue, 'apiVersion' | 'kind' | 'metadata' | 'json'> = { json };
  if (typeof json['apiVersion'] === 'string') out.apiVersion = json['apiVersion'];
  if (typeof json['kind'] === 'string') out.kind = json['kind'];
  if (isRecord(json['metadata'])) out.metadata = json['metadata'] as ObjectMeta;
  return out;
}

function firstNonSpace(value: Uint8Array): number | undefined {
  for (const b of value) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function integrity(message: string): LifeboatError {
  return new LifeboatError('integrity', message);
}
