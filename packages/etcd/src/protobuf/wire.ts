// The protobuf wire format, read and written by hand: etcd's gRPC messages,
// mvccpb.KeyValue records in snapshots and Kubernetes objects all use a few
// field types, and a 100-line codec bundles cleanly where generated code and
// runtime .proto loading would not.
import { LifeboatError } from '@lifeboat/core';

export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  number: number;
  wireType: number;
  /** varint and fixed values as bigint (uint64 safe); bytes as a view into the buffer. */
  value: bigint | Uint8Array;
}

function malformed(what: string, why: string): LifeboatError {
  return new LifeboatError('integrity', `malformed ${what}: ${why}`);
}

/** Iterates the fields of one message, in order; repeated fields appear repeatedly. */
export function* fields(buf: Uint8Array, what = 'protobuf message'): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw malformed(what, 'truncated varint');
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw malformed(what, 'varint longer than 10 bytes');
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (number === 0) throw malformed(what, 'field number 0');
    switch (wireType) {
      case WireType.varint:
        yield { number, wireType, value: varint() };
        break;
      case WireType.fixed64: {
        if (pos + 8 > buf.length) throw malformed(what, 'truncated fixed64');
        const view = new DataView(buf.buffer, buf.byteOffset + pos, 8);
        pos += 8;
        yield { number, wireType, value: view.getBigUint64(0, true) };
        break;
      }
      case WireType.bytes: {
        const length = Number(varint());
        if (pos + length > buf.length) throw malformed(what, `field ${number} runs past the end`);
        yield { number, wireType, value: buf.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case WireType.fixed32: {
        if (pos + 4 > buf.length) throw malformed(what, 'truncated fixed32');
        const view = new DataView(buf.buffer, buf.byteOffset + pos, 4);
        pos += 4;
        yield { number, wireType, value: BigInt(view.getUint32(0, true)) };
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
  return Buffer.from(asBytes(field)).toString('utf8');
}

export function asBigInt(field: Field): bigint {
  if (typeof field.value !== 'bigint')
    throw malformed('protobuf field', `field ${field.number} is not a number`);
  return field.value;
}

/** int64 fields arrive as two's-complement uint64 varints. */
export function asInt64(field: Field): bigint {
  return BigInt.asIntN(64, asBigInt(field));
}

export function asNumber(field: Field): number {
  const v = asInt64(field);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw malformed('protobuf field', `field ${field.number} (${v}) does not fit a JavaScript number`);
  }
  return Number(v);
}

export function asBool(field: Field): boolean {
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
