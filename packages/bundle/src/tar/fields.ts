// The fixed-width fields of a ustar header block: offsets, octal numbers,
// NUL-terminated strings and the checksum.
import { blockSize } from './types.ts';

export const field = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export type Field = keyof typeof field;

/** Largest value an octal field holds: width-1 digits and a terminating NUL. */
export function octalLimit(name: Field): number {
  return 8 ** (field[name][1] - 1) - 1;
}

export function writeOctal(block: Buffer, name: Field, value: number): void {
  const [at, width] = field[name];
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

export function writeString(block: Buffer, name: Field, value: string): void {
  const [at, width] = field[name];
  block.write(value, at, width, 'utf8');
}

/**
 * Reads a numeric field: octal (space/NUL padded), or GNU's base-256 when the
 * first byte has its high bit set. Returns NaN when it is neither.
 */
export function readNumber(block: Buffer, name: Field): number {
  const [at, width] = field[name];
  const first = block[at]!;
  if (first & 0x80) {
    // Base-256, two's complement; only non-negative values are meaningful here.
    if (first & 0x40) return Number.NaN;
    let value = first & 0x3f;
    for (let i = 1; i < width; i++) value = value * 256 + block[at + i]!;
    return Number.isSafeInteger(value) ? value : Number.NaN;
  }
  const text = block
    .toString('latin1', at, at + width)
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

export function readString(block: Buffer, name: Field): string {
  const [at, width] = field[name];
  const end = block.indexOf(0, at);
  return block.toString('utf8', at, end === -1 || end > at + width ? at + width : end);
}

/** The header checksum: bytes summed with the checksum field counted as spaces. */
export function checksums(block: Buffer): { unsigned: number; signed: number } {
  const [at, width] = field.checksum;
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < blockSize; i++) {
    if (i >= at && i < at + width) continue;
    const byte = block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

export function writeChecksum(block: Buffer): void {
  const [at] = field.checksum;
  block.write(`${checksums(block).unsigned.toString(8).padStart(6, '0')}\0 `, at, 8, 'latin1');
}
