// Decodes one 512-byte header block (ustar, GNU or v7), validating its
// checksum; pax records and GNU long names are applied by the reader.
import { LifeboatError } from '@lifeboat/core';
import { checksums, type Field, readNumber, readString } from './fields.ts';
import type { PaxRecords } from './pax.ts';
import type { TarEntryType, TarHeader } from './types.ts';

const types: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/** A header block as stored; `typeflag` also covers meta entries (x, g, L, K). */
export interface RawHeader {
  header: TarHeader;
  typeflag: string;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** `offset` is where the block starts in the archive, for error messages. */
export function decodeHeader(block: Buffer, offset: number): RawHeader {
  const stored = readNumber(block, 'checksum');
  const sums = checksums(block);
  if (stored !== sums.unsigned && stored !== sums.signed) {
    throw new LifeboatError(
      'integrity',
      `the tar header at byte ${offset} fails its checksum: the archive is damaged, truncated or not a tar`,
    );
  }
  const number = (name: Field): number => {
    const value = readNumber(block, name);
    if (Number.isNaN(value)) {
      throw new LifeboatError(
        'integrity',
        `the tar header at byte ${offset} has an invalid ${name} field: the archive is damaged`,
      );
    }
    return value;
  };
  const typeflag = String.fromCharCode(block[156]!);
  const magic = block.toString('latin1', 257, 263);
  let path = readString(block, 'name');
  // POSIX ustar splits long names; old GNU ("ustar  ") keeps other data there.
  if (magic === 'ustar\0') {
    const prefix = readString(block, 'prefix');
    if (prefix !== '') path = `${prefix}/${path}`;
  }
  let type = types[typeflag] ?? 'other';
  // Pre-POSIX archives mark directories only by a trailing slash.
  if (type === 'file' && path.endsWith('/')) type = 'directory';
  const header: TarHeader = {
    path,
    type,
    mode: number('mode') & 0o7777,
    uid: number('uid'),
    gid: number('gid'),
    size: number('size'),
    mtimeNs: BigInt(number('mtime')) * 1_000_000_000n,
  };
  const uname = readString(block, 'uname');
  const gname = readString(block, 'gname');
  const linkname = readString(block, 'linkname');
  if (magic.startsWith('ustar')) {
    if (uname) header.uname = uname;
    if (gname) header.gname = gname;
  }
  if (linkname) header.linkname = linkname;
  if (type === 'other') header.typeflag = typeflag;
  return { header, typeflag };
}

/** Applies pax records (and GNU long names) over the ustar values. */
export function applyPax(header: TarHeader, records: PaxRecords, offset: number): void {
  const integer = (key: string, value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new LifeboatError(
        'integrity',
        `the pax record ${key}=${JSON.stringify(value)} before byte ${offset} is not a whole number: the archive is damaged`,
      );
    }
    return Number(value);
  };
  for (const [key, value] of records) {
    switch (key) {
      case 'path':
        header.path = value;
        break;
      case 'linkpath':
        header.linkname = value;
        break;
      case 'size':
        header.size = integer(key, value);
        break;
      case 'uid':
        header.uid = integer(key, value);
        break;
      case 'gid':
        header.gid = integer(key, value);
        break;
      case 'uname':
        header.uname = value;
        break;
      case 'gname':
        header.gname = value;
        break;
      case 'mtime':
        header.mtimeNs = parsePaxTime(value, offset);
        break;
    }
  }
}

function parsePaxTime(value: string, offset: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) {
    throw new LifeboatError(
      'integrity',
      `the pax mtime ${JSON.stringify(value)} before byte ${offset} is not a time: the archive is damaged`,
    );
  }
  const ns = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  return m[1] ? -ns : ns;
}

/**
 * Directories carry a trailing slash in tar; entries are reported without it.
 * Links, directories and devices have no data blocks whatever their size field says.
 */
export function normalizeHeader(header: TarHeader): void {
  if (header.type === 'directory') header.path = header.path.replace(/\/+$/, '');
  if (header.type !== 'file' && header.type !== 'other') header.size = 0;
}
