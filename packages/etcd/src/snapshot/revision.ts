// Keys of etcd's `key` bucket: a revision, 8-byte big-endian main, '_',
// 8-byte big-endian sub, and an optional 't' marking a deletion (tombstone).
// Validated as etcd 3.6 does (length, separator, non-negative).
import { LifeboatError } from '@lifeboat/core';

export interface Revision {
  /** The store revision: one per transaction. */
  main: number;
  /** The change's index within that transaction. */
  sub: number;
}

export interface RevisionKey extends Revision {
  tombstone: boolean;
}

const revisionLength = 17;
const markedLength = 18;

export function parseRevisionKey(key: Uint8Array, where: string): RevisionKey {
  if (key.length !== revisionLength && key.length !== markedLength) {
    throw bad(where, `a revision key is ${revisionLength} or ${markedLength} bytes, this one ${key.length}`);
  }
  if (key[8] !== 0x5f) throw bad(where, `revision key ${hex(key)} lacks the '_' separator`);
  const main = bigEndian64(key, 0);
  const sub = bigEndian64(key, 9);
  if (main < 0 || sub < 0) throw bad(where, `revision key ${hex(key)} holds an impossible revision`);
  return { main, sub, tombstone: key.length === markedLength && key[17] === 0x74 };
}

/** A big-endian int64 as a number; -1 when negative or past 2^53 (no revision gets there). */
function bigEndian64(bytes: Uint8Array, at: number): number {
  const hi = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const lo = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  return hi >= 0x200000 ? -1 : hi * 0x100000000 + lo;
}

function hex(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('hex');
}

function bad(where: string, what: string): LifeboatError {
  return new LifeboatError('integrity', `${where}: ${what}`);
}
