// CRC-32C against published vectors and a bitwise reference, on every path:
// the JavaScript byte loop, the WebAssembly module, and crc32c() choosing.
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cBytewise, crc32cWasm, zeroTables } from '../src/snapshot/crc32c.ts';
import { inputBytes, laneBytes } from '../src/snapshot/crc32c-wasm.ts';

/** Bit by bit from the polynomial: slow, and obviously right. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const bytes = (values: number[]) => Uint8Array.from(values);
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

// RFC 3720 (iSCSI), appendix B.4; the RFC lists each CRC in wire order (little-endian).
const rfc3720: [string, Uint8Array, number][] = [
  ['32 bytes of zeros', bytes(range(32, () => 0)), 0x8a9136aa],
  ['32 bytes of 0xff', bytes(range(32, () => 0xff)), 0x62a8ab43],
  ['32 incrementing bytes', bytes(range(32, (i) => i)), 0x46dd794e],
  ['32 decrementing bytes', bytes(range(32, (i) => 31 - i)), 0x113fdb5c],
  [
    'an iSCSI read command PDU',
    bytes([
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]),
    0xd9963a56,
  ],
];

const paths = { crc32c, crc32cBytewise, crc32cWasm };

describe('CRC-32C', () => {
  for (const [name, fn] of Object.entries(paths)) {
    describe(name, () => {
      for (const [what, data, expected] of rfc3720) {
        it(`RFC 3720: ${what}`, () => expect(fn(0, data)).toBe(expected));
      }

      it('the check value of "123456789", and 0 for no bytes', () => {
        expect(fn(0, Buffer.from('123456789'))).toBe(0xe3069283);
        expect(fn(0, new Uint8Array(0))).toBe(0);
        expect(fn(0x12345678, new Uint8Array(0))).toBe(0x12345678);
      });

      it('every length from 0 to 300 at every alignment equals the bitwise reference', () => {
        const data = Buffer.from(range(400, (i) => (i * 131 + 17) & 0xff));
        for (let offset = 0; offset < 8; offset++) {
          for (let n = 0; n <= 300; n++) {
            const piece = data.subarray(offset, offset + n);
            expect(fn(0, piece), `offset ${offset}, length ${n}`).toBe(reference(piece));
          }
        }
      });

      it('continues a finished CRC, so pieces give the CRC of the whole', () => {
        const data = Buffer.from(range(10_007, (i) => (i * 31 + 7) & 0xff));
        const whole = reference(data);
        expect(fn(0, data)).toBe(whole);
        expect(fn(fn(fn(0, data.subarray(0, 3)), data.subarray(3, 4000)), data.subarray(4000))).toBe(whole);
      });
    });
  }

  it('inputs larger than the WebAssembly input area go through in pieces', () => {
    const data = Buffer.from(range(inputBytes * 2 + 1234, (i) => (i * 7 + (i >>> 9)) & 0xff));
    expect(crc32cWasm(0, data)).toBe(reference(data));
    expect(crc32c(0, data)).toBe(crc32cWasm(0, data));
    expect(crc32c(0, data.subarray(5, inputBytes + 5))).toBe(reference(data.subarray(5, inputBytes + 5)));
  });

  it('the 3-lane loop: lengths around each multiple of 3 lanes, every alignment, any starting CRC', () => {
    const group = 3 * laneBytes;
    const data = Buffer.from(range(4 * group + 64, (i) => (i * 197 + (i >>> 7) * 13) & 0xff));
    for (const start of [0, 0xffffffff, 0x1234abcd]) {
      for (const groups of [1, 2, 4]) {
        for (const delta of [-17, -1, 0, 1, 15, 16, 17]) {
          for (const offset of [0, 1, 3, 8]) {
            const piece = data.subarray(offset, offset + groups * group + delta);
            expect(crc32cWasm(start, piece), `${groups} groups ${delta}, offset ${offset}`).toBe(
              crc32cBytewise(start, piece),
            );
          }
        }
      }
    }
  });

  it('zero tables advance a register as that many zero bytes do', () => {
    const advance = (register: number, n: number) => {
      let c = register;
      for (let i = 0; i < n; i++) {
        c ^= 0;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return c >>> 0;
    };
    for (const n of [1, 5, laneBytes]) {
      const z = zeroTables(n);
      for (const register of [1, 0x80000000, 0xdeadbeef, 0x00ff00ff]) {
        const viaTables =
          z[register & 0xff]! ^
          z[256 + ((register >>> 8) & 0xff)]! ^
          z[512 + ((register >>> 16) & 0xff)]! ^
          z[768 + (register >>> 24)]!;
        expect(viaTables >>> 0, `n ${n}, register ${register}`).toBe(advance(register, n));
      }
    }
  });
});
