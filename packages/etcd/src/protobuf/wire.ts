// The protobuf wire format, read and written by hand: etcd's gRPC messages,
// mvccpb.KeyValue records in snapshots and Kubernetes objects all use a few
// field types, and a 100-line codec bundles cleanly where generated code and
// runtime .proto loading would not.
import { LifeboatError } from '@lifeboat/core';

export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  number: number;
  wireType: number;
  /**
   * varint and fixed values as a number when they fit one exactly (≤ 2^53 − 1, which is every
   * revision, size, count and enum), as a bigint above that (uint64s, negative int64s); bytes as a
   * view into the buffer. Read them through asNumber, asBigInt, asInt64, asBool.
   */
  value: number | bigint | Uint8Array;
}

function malformed(what: string, why: string): LifeboatError {
  return new LifeboatError('integrity', `malformed ${what}: ${why}`);
}

/** Protobuf's largest field number. */
const maxFieldNumber = 2 ** 29 - 1;

/** Iterates the fields of one message, in order; repeated fields appear repeatedly. */
export function* fields(buf: Uint8Array, what = 'protobuf message'): Generator<Field> {
  let pos = 0;
  // Summed in a number: each 7-bit group times its power of two is exact, and so is the sum while
  // it stays ≤ 2^53 − 1; only past that is the varint read again as a bigint.
  const varint = (): number | bigint => {
    const start = pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 10) throw malformed(what, 'varint longer than 10 bytes');
      if (pos >= buf.length) throw malformed(what, 'truncated varint');
      const byte = buf[pos++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    if (value <= Number.MAX_SAFE_INTEGER) return value;
    let big = 0n;
    for (let i = pos - 1; i >= start; i--) big = (big << 7n) | BigInt(buf[i]! & 0x7f);
    return BigInt.asUintN(64, big);
  };
  while (pos < buf.length) {
    const tag = varint();
    if (typeof tag === 'bigint' || tag / 8 > maxFieldNumber) throw malformed(what, 'field number too large');
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw malformed(what, 'field number 0');
    switch (wireType) {
      case WireType.varint:
        yield { number, wireType, value: varint() };
        break;
      case WireType.fixed64: {
        if (pos + 8 > buf.length) throw malformed(what, 'truncated fixed64');
        const view = new DataView(buf.buffer, buf.byteOffset + pos, 8);
        pos += 8;
        const hi = view.getUint32(4, true);
        const value = hi < 0x200000 ? hi * 0x100000000 + view.getUint32(0, true) : view.getBigUint64(0, true);
        yield { number, wireType, value };
        break;
      }
      case WireType.bytes: {
        const length = varint();
        if (typeof length === 'bigint' || pos + length > buf.length) {
          throw malformed(what, `field ${number} runs past the end`);
        }
        yield { number, wireType, value: buf.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case WireType.fixed32: {
        if (pos + 4 > buf.length) throw malformed(what, 'truncated fixed32');
        const view = new DataView(buf.buffer, buf.byteOffset + pos, 4);
        pos += 4;
        yield { number, wireType, value: view.getUint32(0, true) };
        break;
      }
      default:
        throw malformed(what, `unsupported wire type ${wireType} for field ${number}`);
    }
  }
}

export function asBytes(field: Field): Uint8Array {
  if (!(field.value instanceof Uint8Array))
    throw malformed('protobuf field', `field ${field.number} is not bytes`);
  return field.value;
}

export function asString(field: Field): string {
  const bytes = asBytes(field);
  // A view, not Buffer.from(bytes): that would copy every string field before decoding it.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** A varint or fixed field as uint64 (a bigint whatever its size). */
export function asBigInt(field: Field): bigint {
  if (typeof field.value === 'number') return BigInt(field.value);
  if (typeof field.value !== 'bigint')
    throw malformed('protobuf field', `field ${field.number} is not a number`);
  return field.value;
}

/** int64 fields arrive as two's-complement uint64 varints. */
export function asInt64(field: Field): bigint {
  return BigInt.asIntN(64, asBigInt(field));
}

/** An int64 field as a number; throws when it does not fit one exactly. */
export function asNumber(field: Field): number {
  // A number is at most 2^53 − 1: the same value read as int64 (no BigInt allocated).
  if (typeof field.value === 'number') return field.value;
  const v = asInt64(field);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw malformed('protobuf field', `field ${field.number} (${v}) does not fit a JavaScript number`);
  }
  return Number(v);
}

export function asBool(field: Field): boolean {
  if (typeof field.value === 'number') return field.value !== 0;
  return asBigInt(field) !== 0n;
}

// --- writing -------------------------------------------------------------

function varintBytes(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export type WriteField =
  | { number: number; varint: bigint | number | boolean }
  | { number: number; bytes: Uint8Array | string };

/** Encodes fields in the order given (undefined entries are skipped). */
export function encode(list: readonly (WriteField | undefined)[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of list) {
    if (!f) continue;
    if ('varint' in f) {
      const v = typeof f.varint === 'boolean' ? (f.varint ? 1n : 0n) : BigInt(f.varint);
      parts.push(Buffer.from([...varintBytes(BigInt(f.number << 3)), ...varintBytes(v)]));
    } else {
      const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes, 'utf8') : Buffer.from(f.bytes);
      parts.push(
        Buffer.from([...varintBytes(BigInt((f.number << 3) | 2)), ...varintBytes(BigInt(bytes.length))]),
        bytes,
      );
    }
  }
  return Buffer.concat(parts);
}
