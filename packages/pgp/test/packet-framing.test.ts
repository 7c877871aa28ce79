import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PacketFraming } from '../src/packet-framing.ts';
import { makeKey } from './fixtures.ts';
import { encrypted } from './streams.ts';

/** `complete` after feeding `bytes` whole and byte by byte (both must agree). */
function completeAfter(bytes: number[] | Uint8Array): boolean {
  const whole = new PacketFraming();
  whole.observe(Uint8Array.from(bytes));
  const bytewise = new PacketFraming();
  for (const b of bytes) bytewise.observe(Uint8Array.of(b));
  expect(bytewise.complete).toBe(whole.complete);
  expect(bytewise.bytes).toBe(bytes.length);
  return whole.complete;
}

const body = (n: number) => Array<number>(n).fill(0xaa);

describe('packet framing', () => {
  it('is not complete before any byte', () => {
    expect(new PacketFraming().complete).toBe(false);
  });

  it('follows new-format one-, two- and five-octet lengths', () => {
    expect(completeAfter([0xc1, 3, ...body(3)])).toBe(true);
    expect(completeAfter([0xc1, 3, ...body(2)])).toBe(false);
    expect(completeAfter([0xc1])).toBe(false);
    // 2-octet: ((0xc0 - 192) << 8) + 0x08 + 192 = 200
    expect(completeAfter([0xd2, 0xc0, 0x08, ...body(200)])).toBe(true);
    expect(completeAfter([0xd2, 0xc0, 0x08, ...body(199)])).toBe(false);
    expect(completeAfter([0xd2, 0xc0])).toBe(false);
    expect(completeAfter([0xd2, 0xff, 0, 0, 1, 0x2c, ...body(300)])).toBe(true);
    expect(completeAfter([0xd2, 0xff, 0, 0, 1, 0x2c, ...body(299)])).toBe(false);
    expect(completeAfter([0xd2, 0xff, 0, 0])).toBe(false);
  });

  it('expects another length after a partial-body chunk', () => {
    const partial512 = [0xe9, ...body(512)]; // 0xe9: 1 << 9
    expect(completeAfter([0xd2, ...partial512])).toBe(false);
    expect(completeAfter([0xd2, ...partial512, ...partial512])).toBe(false);
    expect(completeAfter([0xd2, ...partial512, 5, ...body(5)])).toBe(true);
    expect(completeAfter([0xd2, ...partial512, 0])).toBe(true); // a final zero-length chunk
  });

  it('follows old-format one-, two- and four-octet lengths', () => {
    expect(completeAfter([0x84, 2, ...body(2)])).toBe(true); // tag 1, one octet
    expect(completeAfter([0x85, 0x01, 0x0c, ...body(268)])).toBe(true); // two octets
    expect(completeAfter([0x85, 0x01, 0x0c, ...body(267)])).toBe(false);
    expect(completeAfter([0x86, 0, 0, 0, 4, ...body(4)])).toBe(true); // four octets
    expect(completeAfter([0x86, 0, 0, 0, 4, ...body(3)])).toBe(false);
  });

  it('cannot tell for an indeterminate length or bytes that are not OpenPGP', () => {
    expect(completeAfter([0x87, ...body(10)])).toBe(true);
    expect(completeAfter([0x7b, 0x22])).toBe(true); // '{"': openpgp.js reports it
  });

  it('follows several packets in a row, and a zero-length packet', () => {
    expect(completeAfter([0xc1, 1, 0xaa, 0xc2, 0, 0x84, 1, 0xaa])).toBe(true);
    expect(completeAfter([0xc1, 1, 0xaa, 0xc2, 0, 0x84, 1])).toBe(false);
  });

  it('notes where the encrypted data packet ends, whatever its header format', () => {
    const at = (bytes: number[]) => {
      const framing = new PacketFraming();
      framing.observe(Uint8Array.from(bytes));
      return framing.encryptedDataEnd;
    };
    const pkesk = [0xc1, 2, 0xaa, 0xaa];
    expect(at([...pkesk, 0xd2, 3, ...body(3)])).toBe(9);
    expect(at([...pkesk, 0xd2, 3, ...body(3), 0x7b])).toBe(9);
    expect(at([...pkesk, 0xd2, 0xe9, ...body(512), 1, 0xaa])).toBe(4 + 1 + 1 + 512 + 1 + 1);
    expect(at([0x84, 1, 0xaa, 0xa4, 2, ...body(2)])).toBe(7); // old format, tag 9
    expect(at([...pkesk, 0xd2, 3, ...body(2)])).toBeUndefined();
    expect(at(pkesk)).toBeUndefined();
  });

  it('finds every cut of a real message incomplete, and the whole one complete', async () => {
    const { publicKey } = await makeKey();
    const message = await encrypted(randomBytes(200_000), [publicKey]);
    const framing = new PacketFraming();
    const cuts = new Set<number>();
    for (let at = 0; at < message.length; at += 997) {
      framing.observe(message.subarray(at, Math.min(at + 997, message.length)));
      if (at + 997 < message.length && framing.complete) cuts.add(at + 997);
    }
    expect(framing.complete).toBe(true);
    expect(framing.bytes).toBe(message.length);
    expect(framing.encryptedDataEnd).toBe(message.length);
    // Only a cut between the PKESK and the SEIPD packet ends on a packet boundary; 997-byte steps miss it.
    expect([...cuts]).toEqual([]);
  });
});
