// pax extended header records (POSIX.1-2001): "<length> <key>=<value>\n",
// where length counts the whole record, its own digits included.
import { LifeboatError } from '@lifeboat/core';

export type PaxRecords = Map<string, string>;

export function encodePax(records: PaxRecords): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    const body = ` ${key}=${value}\n`;
    const bodyBytes = Buffer.byteLength(body);
    // The length prefix counts its own digits: grow it until it fits.
    let length = bodyBytes + 1;
    while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
    parts.push(Buffer.from(`${length}${body}`));
  }
  return Buffer.concat(parts);
}

export function decodePax(data: Buffer, where: string): PaxRecords {
  const records: PaxRecords = new Map();
  let at = 0;
  while (at < data.length) {
    // Some writers pad the header body with NULs.
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    const length = space > at ? Number(data.toString('latin1', at, space)) : Number.NaN;
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length) {
      throw corrupt(where);
    }
    const record = data.toString('utf8', space + 1, at + length);
    const eq = record.indexOf('=');
    if (eq <= 0 || !record.endsWith('\n')) throw corrupt(where);
    records.set(record.slice(0, eq), record.slice(eq + 1, -1));
    at += length;
  }
  return records;
}

function corrupt(where: string): LifeboatError {
  return new LifeboatError(
    'integrity',
    `the pax extended header ${where} is malformed: the archive is damaged`,
  );
}
