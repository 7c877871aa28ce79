import { describe, expect, it } from 'vitest';
import { asBytes, asInt64, asString, encode, fields } from '../src/protobuf/wire.ts';

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
    expect(got[0]!.value).toBe(150n);
    expect(got[1]!.value).toBe(2n ** 64n - 1n);
    expect(asInt64(got[2]!)).toBe(-5n);
    expect(asString(got[3]!)).toBe('héllo');
    expect(asString([...fields(asBytes(got[4]!))][0]!)).toBe('cm');
  });

  it('matches the canonical encoding of 150 (08 96 01)', () => {
    expect(encode([{ number: 1, varint: 150 }]).toString('hex')).toBe('089601');
  });

  it.each([
    ['truncated varint', Buffer.from([0x08, 0x96])],
    ['runs past the end', Buffer.from([0x12, 0x05, 0x61])],
    ['unsupported wire type', Buffer.from([0x0b])],
    ['field number 0', Buffer.from([0x00, 0x01])],
  ])('reports %s', (why, buf) => {
    expect(() => [...fields(buf, 'test message')]).toThrow(why);
  });
});
