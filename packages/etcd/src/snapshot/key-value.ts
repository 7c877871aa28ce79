// mvccpb.KeyValue, the value of every entry in the `key` bucket:
// key=1, create_revision=2, mod_revision=3, version=4, value=5, lease=6.
// Decoded by hand without allocating per field: this runs once per revision
// of the db, millions of times for a large one.
import { LifeboatError } from '@lifeboat/core';

export interface KeyValue {
  key: Buffer;
  /** Empty for a tombstone. */
  value: Buffer;
  createRevision: number;
  modRevision: number;
  /** How many times the key was written since it was (re)created. */
  version: number;
  /** The lease id, 0 when none; int64, so a bigint (lease ids use all 64 bits). */
  lease: bigint;
}

const empty: Buffer = Buffer.alloc(0);

/**
 * What a message is, for errors: text, or the revision of the `key` bucket entry it is the value
 * of (turned into text only when there is an error: this runs for every entry of a db).
 */
export type KvWhat = string | { main: number; sub: number };

/** Decodes a KeyValue; key and value are views into `bytes`. */
export function decodeKeyValue(bytes: Buffer, what: KvWhat): KeyValue {
  const kv: KeyValue = { key: empty, value: empty, createRevision: 0, modRevision: 0, version: 0, lease: 0n };
  scan(bytes, what, kv);
  return kv;
}

/** Only the key (a view), checking the whole message's wire format as decoding does. */
export function keyOfKeyValue(bytes: Buffer, what: KvWhat): Buffer {
  return scan(bytes, what, undefined);
}

/** The same KeyValue with its key and value in buffers of their own. */
export function copyKeyValue(kv: KeyValue): KeyValue {
  return { ...kv, key: Buffer.from(kv.key), value: Buffer.from(kv.value) };
}

// The read position of the scan in progress (scans are synchronous and never nest).
let pos = 0;

function scan(bytes: Buffer, what: KvWhat, kv: KeyValue | undefined): Buffer {
  const n = bytes.length;
  let key: Buffer = empty;
  pos = 0;
  while (pos < n) {
    const tag = varint(bytes, what);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw malformed(what, 'field number 0');
    // Known fields must have their type, as gogo/protobuf's Unmarshal insists; unknown ones are skipped.
    const expected = field === 1 || field === 5 ? 2 : field >= 2 && field <= 6 ? 0 : wireType;
    if (wireType !== expected) {
      throw malformed(what, `field ${field} has wire type ${wireType}, expected ${expected}`);
    }
    if (wireType === 2) {
      const length = varint(bytes, what);
      if (pos + length > n) throw malformed(what, `field ${field} runs past the end`);
      if (field === 1) key = bytes.subarray(pos, pos + length);
      else if (field === 5 && kv) kv.value = bytes.subarray(pos, pos + length);
      pos += length;
    } else if (wireType === 0) {
      const start = pos;
      const value = varint(bytes, what);
      if (kv && field >= 2 && field <= 4) {
        if (value > Number.MAX_SAFE_INTEGER) throw malformed(what, `field ${field} is out of range`);
        if (field === 2) kv.createRevision = value;
        else if (field === 3) kv.modRevision = value;
        else kv.version = value;
      } else if (kv && field === 6) {
        kv.lease = int64(bytes, start, pos);
      }
    } else if (wireType === 1 || wireType === 5) {
      pos += wireType === 1 ? 8 : 4;
      if (pos > n) throw malformed(what, `field ${field} runs past the end`);
    } else {
      throw malformed(what, `unsupported wire type ${wireType} for field ${field}`);
    }
  }
  if (kv) kv.key = key;
  return key;
}

/** A varint as a number: exact to 2^53, larger ones only ever compared against that bound. */
function varint(bytes: Buffer, what: KvWhat): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw malformed(what, 'truncated varint');
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw malformed(what, 'varint longer than 10 bytes');
}

/** The exact int64 of the varint at bytes[start, end). */
function int64(bytes: Buffer, start: number, end: number): bigint {
  let value = 0n;
  for (let i = end - 1; i >= start; i--) value = (value << 7n) | BigInt(bytes[i]! & 0x7f);
  return BigInt.asIntN(64, value);
}

function malformed(what: KvWhat, why: string): LifeboatError {
  const text = typeof what === 'string' ? what : `mvccpb.KeyValue at revision ${what.main}_${what.sub}`;
  return new LifeboatError('integrity', `malformed ${text}: ${why}`);
}
