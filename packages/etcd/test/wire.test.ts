import { describe, expect, it } from 'vitest';
import {
  asBigInt,
  asBool,
  asBytes,
  asInt64,
  asNumber,
  asString,
  encode,
  fields,
} from '../src/protobuf/wire.ts';

describe('protobuf wire format', () => {
  it('round-trips varints (incl. uint64 and negative int64), strings and nested bytes', () => {
    const inner = encode([{ number: 1, bytes: 'cm' }]);
    const buf = encode([
      { number: 1, varint: 150 },
      { number: 2, varint: 2n ** 64n - 1n },
      { number: 3, varint: -5n },
      { number: 4, bytes: 'héllo' },
      { number: 5, bytes: inner },
      undefined,
    ]);
    const got = [...fields(buf)];
    expect(got.map((f) => f.number)).toEqual([1, 2, 3, 4, 5]);
    expect(got[0]!.value).toBe(150);
    expect(asBigInt(got[0]!)).toBe(150n);
    expect(got[1]!.value).toBe(2n ** 64n - 1n);
    expect(asInt64(got[2]!)).toBe(-5n);
    expect(asString(got[3]!)).toBe('héllo');
    expect(asString([...fields(asBytes(got[4]!))][0]!)).toBe('cm');
  });

  it('reads varints below 2^53 as numbers and larger ones exactly as bigints', () => {
    const values = [
      0n,
      1n,
      127n,
      128n,
      2n ** 32n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      2n ** 63n,
      2n ** 64n - 1n,
    ];
    const got = [...fields(encode(values.map((varint, i) => ({ number: i + 1, varint }))))];
    expect(got.map((f) => f.value)).toEqual([
      0,
      1,
      127,
      128,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      2n ** 53n,
      2n ** 53n + 1n,
      2n ** 63n,
      2n ** 64n - 1n,
    ]);
    expect(got.map((f) => asBigInt(f))).toEqual(values);
    expect(asNumber(got[5]!)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => asNumber(got[6]!)).toThrow('does not fit a JavaScript number');
    expect(asBool(got[0]!)).toBe(false);
    expect(asBool(got[1]!)).toBe(true);
    expect(asBool(got[9]!)).toBe(true);
  });

  it('reads negative int64s (10-byte varints) exactly', () => {
    const got = [
      ...fields(
        encode([
          { number: 1, varint: -1n },
          { number: 2, varint: -(2n ** 63n) },
          { number: 3, varint: -5 },
        ]),
      ),
    ];
    expect(got.map((f) => asInt64(f))).toEqual([-1n, -(2n ** 63n), -5n]);
    expect(asNumber(got[2]!)).toBe(-5);
    expect(() => asNumber(got[1]!)).toThrow('does not fit a JavaScript number');
  });

  it('reads fixed64 and fixed32 as numbers when they fit', () => {
    const fixed = (n: number, type: 1 | 5, bytes: number[]) => Buffer.from([(n << 3) | type, ...bytes]);
    const buf = Buffer.concat([
      fixed(1, 1, [1, 0, 0, 0, 0, 0, 0, 0]),
      fixed(2, 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0]), // 2^53 - 1
      fixed(3, 1, [0, 0, 0, 0, 0, 0, 0x20, 0]), // 2^53
      fixed(4, 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      fixed(5, 5, [0xff, 0xff, 0xff, 0xff]),
    ]);
    expect([...fields(buf)].map((f) => f.value)).toEqual([
      1,
      Number.MAX_SAFE_INTEGER,
      2n ** 53n,
      2n ** 64n - 1n,
      0xffffffff,
    ]);
  });

  it('matches the canonical encoding of 150 (08 96 01)', () => {
    expect(encode([{ number: 1, varint: 150 }]).toString('hex')).toBe('089601');
  });

  it.each([
    ['truncated varint', Buffer.from([0x08, 0x96])],
    ['runs past the end', Buffer.from([0x12, 0x05, 0x61])],
    ['unsupported wire type', Buffer.from([0x0b])],
    ['field number 0', Buffer.from([0x00, 0x01])],
    ['varint longer than 10 bytes', Buffer.from([0x08, ...Array(10).fill(0xff), 0x01])],
    ['field number too large', Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x10, 0x00])],
    ['runs past the end', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])],
  ])('reports %s', (why, buf) => {
    expect(() => [...fields(buf, 'test message')]).toThrow(why);
  });
});
