// Encodes one entry's header as a POSIX ustar block, preceded by a pax
// extended header when a value does not fit ustar: long or non-ASCII names,
// sizes of 8 GiB and more, large ids, sub-second mtimes. GNU tar and bsdtar
// read both; the ustar fields keep a best-effort fallback for older readers.
import { LifeboatError } from '@lifeboat/core';
import { type Field, octalLimit, writeChecksum, writeOctal, writeString } from './fields.ts';
import { encodePax, type PaxRecords } from './pax.ts';
import { blockSize, paddingOf, type TarHeader, type WritableEntryType } from './types.ts';

const typeflags: Record<WritableEntryType, string> = { file: '0', directory: '5', symlink: '2' };
const ascii = /^[\x20-\x7e]*$/;
const nanosPerSecond = 1_000_000_000n;

export function encodeHeader(header: TarHeader): Buffer {
  validate(header);
  const pax: PaxRecords = new Map();
  const block = Buffer.alloc(blockSize);

  const name = header.type === 'directory' ? `${header.path}/` : header.path;
  const split = splitUstarPath(name);
  if (split) {
    writeString(block, 'name', split.name);
    writeString(block, 'prefix', split.prefix);
  } else {
    pax.set('path', name);
    writeString(block, 'name', fallbackName(name, 100));
  }

  if (header.linkname !== undefined) {
    if (fitsString(header.linkname, 100)) writeString(block, 'linkname', header.linkname);
    else {
      pax.set('linkpath', header.linkname);
      writeString(block, 'linkname', fallbackName(header.linkname, 100));
    }
  }

  const seconds = header.mtimeNs / nanosPerSecond;
  const nanos = header.mtimeNs % nanosPerSecond;
  if (nanos !== 0n || header.mtimeNs < 0n || seconds > BigInt(octalLimit('mtime'))) {
    pax.set('mtime', formatPaxTime(header.mtimeNs));
  }
  writeOctal(block, 'mtime', clamp(Number(seconds), 'mtime'));

  for (const [key, value] of [
    ['size', header.size],
    ['uid', header.uid],
    ['gid', header.gid],
  ] as const) {
    if (value > octalLimit(key)) pax.set(key, String(value));
    writeOctal(block, key, clamp(value, key));
  }
  for (const key of ['uname', 'gname'] as const) {
    const value = header[key];
    if (value === undefined) continue;
    if (fitsString(value, 32)) writeString(block, key, value);
    else pax.set(key, value);
  }

  writeOctal(block, 'mode', header.mode & 0o7777);
  writeString(block, 'typeflag', typeflags[header.type as WritableEntryType]);
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  writeOctal(block, 'devmajor', 0);
  writeOctal(block, 'devminor', 0);
  writeChecksum(block);

  if (pax.size === 0) return block;
  return Buffer.concat([paxHeader(header, name, pax), block]);
}

function validate(header: TarHeader): void {
  const where = `tar entry ${JSON.stringify(header.path)}`;
  const bad = (why: string): never => {
    throw new LifeboatError('usage', `${where} cannot be written: ${why}`);
  };
  if (!(header.type in typeflags)) bad(`type ${header.type} is not a file, directory or symlink`);
  if (header.path === '' || header.path.includes('\0') || header.path.endsWith('/'))
    bad('the path is empty, has a NUL byte or ends with "/"');
  if (header.type !== 'file' && header.size !== 0) bad('only files have a size');
  if ((header.type === 'symlink') !== (header.linkname !== undefined))
    bad('a symlink needs a target, and only symlinks have one');
  if (header.linkname?.includes('\0') || header.linkname === '') bad('the link target is empty or has a NUL');
  for (const key of ['size', 'uid', 'gid'] as const) {
    if (!Number.isSafeInteger(header[key]) || header[key] < 0) bad(`${key} is not a whole number`);
  }
}

/** ustar splits long paths at a "/" into prefix (155 bytes) and name (100). */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!ascii.test(path)) return undefined;
  if (path.length <= 100) return { prefix: '', name: path };
  // A directory's trailing "/" must stay in the name part, so skip it as a split point.
  for (let at = path.indexOf('/'); at !== -1 && at < path.length - 1; at = path.indexOf('/', at + 1)) {
    if (at > 155) return undefined;
    if (path.length - at - 1 <= 100 && at > 0) return { prefix: path.slice(0, at), name: path.slice(at + 1) };
  }
  return undefined;
}

function fitsString(value: string, width: number): boolean {
  return ascii.test(value) && value.length <= width;
}

/** What a reader without pax support sees: the path's ASCII tail, cut to fit. */
function fallbackName(value: string, width: number): string {
  return value.replace(/[^\x20-\x7e]/g, '_').slice(-width);
}

function clamp(value: number, key: Field): number {
  return Math.max(0, Math.min(value, octalLimit(key)));
}

function formatPaxTime(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  const fraction = (abs % nanosPerSecond).toString().padStart(9, '0').replace(/0+$/, '');
  const text = `${abs / nanosPerSecond}${fraction ? `.${fraction}` : ''}`;
  return negative ? `-${text}` : text;
}

/** The 'x' entry carrying the records, named like GNU tar names them. */
function paxHeader(header: TarHeader, name: string, records: PaxRecords): Buffer {
  const body = encodePax(records);
  const block = Buffer.alloc(blockSize);
  const base = name.replace(/\/$/, '').split('/').pop() ?? '';
  writeString(block, 'name', `PaxHeaders/${fallbackName(base, 89)}`);
  writeOctal(block, 'mode', 0o644);
  writeOctal(block, 'uid', clamp(header.uid, 'uid'));
  writeOctal(block, 'gid', clamp(header.gid, 'gid'));
  writeOctal(block, 'size', body.length);
  writeOctal(block, 'mtime', clamp(Number(header.mtimeNs / nanosPerSecond), 'mtime'));
  writeString(block, 'typeflag', 'x');
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  writeChecksum(block);
  return Buffer.concat([block, body, Buffer.alloc(paddingOf(body.length))]);
}
