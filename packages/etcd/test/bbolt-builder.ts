// Writes small bbolt files for tests, independently of the reader: meta pages,
// leaf and branch pages, overflow pages, inline and nested buckets, an
// optional persisted freelist and the snapshot sha256 trailer. Pages are
// laid out in allocation order, children before their parents.
import { createHash } from 'node:crypto';

export type Tree = { [key: string]: string | Uint8Array | Tree };

export interface BuildOptions {
  pageSize?: number;
  /** Most entries per leaf page and children per branch page (small values force deep trees). */
  fanout?: number;
  /** Buckets whose leaf fits in this many bytes are written inline (bbolt: a quarter page). */
  inlineLimit?: number;
  /** Write a freelist page listing these (otherwise unused) page ids; omit for etcd's unpersisted one. */
  freePages?: number;
  trailer?: boolean;
  txid?: bigint;
}

interface Entry {
  key: Buffer;
  value: Buffer;
  bucket: boolean;
}

const header = 16;

export function buildBolt(root: Tree, options: BuildOptions = {}): Buffer {
  const pageSize = options.pageSize ?? 4096;
  const fanout = options.fanout ?? 64;
  const inlineLimit = options.inlineLimit ?? pageSize / 4;
  const pages: Buffer[] = [Buffer.alloc(pageSize), Buffer.alloc(pageSize)];
  const freelistId = options.freePages !== undefined ? 2 : undefined;
  if (freelistId !== undefined) pages.push(Buffer.alloc(pageSize));
  const freeIds: number[] = [];

  const allocate = (bytes: Buffer): number => {
    const id = pages.length;
    const count = Math.ceil(bytes.length / pageSize);
    const padded = Buffer.alloc(count * pageSize);
    bytes.copy(padded);
    padded.writeBigUInt64LE(BigInt(id), 0);
    padded.writeUInt32LE(count - 1, 12);
    pages.push(padded);
    for (let i = 1; i < count; i++) pages.push(Buffer.alloc(0)); // placeholders keep ids aligned
    return id;
  };

  const entriesOf = (tree: Tree): Entry[] =>
    Object.entries(tree)
      .map(([key, value]) => {
        if (typeof value === 'string' || value instanceof Uint8Array) {
          return { key: Buffer.from(key, 'latin1'), value: Buffer.from(value), bucket: false };
        }
        return { key: Buffer.from(key, 'latin1'), value: writeBucket(value), bucket: true };
      })
      .sort((a, b) => Buffer.compare(a.key, b.key));

  const writeBucket = (tree: Tree, forcePage = false): Buffer => {
    const entries = entriesOf(tree);
    const leaf = leafPage(entries);
    const head = Buffer.alloc(16);
    if (!forcePage && !entries.some((e) => e.bucket) && leaf.length <= inlineLimit) {
      return Buffer.concat([head, leaf]);
    }
    head.writeBigUInt64LE(BigInt(writeTree(entries)), 0);
    return head;
  };

  const writeTree = (entries: Entry[]): number => {
    let level: { key: Buffer; id: number }[] = [];
    for (let i = 0; i < Math.max(1, entries.length); i += fanout) {
      const chunk = entries.slice(i, i + fanout);
      level.push({ key: chunk[0]?.key ?? Buffer.alloc(0), id: allocate(leafPage(chunk)) });
    }
    while (level.length > 1) {
      const next: typeof level = [];
      for (let i = 0; i < level.length; i += fanout) {
        const chunk = level.slice(i, i + fanout);
        next.push({ key: chunk[0]!.key, id: allocate(branchPage(chunk)) });
      }
      level = next;
    }
    return level[0]!.id;
  };

  const rootId = Number(writeBucket(root, true).readBigUInt64LE(0));
  for (let i = 0; i < (options.freePages ?? 0); i++) freeIds.push(allocate(Buffer.alloc(header)));
  if (freelistId !== undefined) {
    const list = Buffer.alloc(pageSize);
    list.writeBigUInt64LE(2n, 0);
    list.writeUInt16LE(0x10, 8);
    list.writeUInt16LE(freeIds.length, 10);
    for (const [i, id] of freeIds.entries()) list.writeBigUInt64LE(BigInt(id), header + i * 8);
    pages[2] = list;
  }
  const pgid = pages.length;
  const txid = options.txid ?? 7n;
  for (const page of [0, 1]) {
    const p = pages[page]!;
    p.writeBigUInt64LE(BigInt(page), 0);
    p.writeUInt16LE(0x04, 8);
    const m = header;
    p.writeUInt32LE(0xed0cdaed, m);
    p.writeUInt32LE(2, m + 4);
    p.writeUInt32LE(pageSize, m + 8);
    p.writeBigUInt64LE(BigInt(rootId), m + 16);
    p.writeBigUInt64LE(freelistId === undefined ? 0xffffffffffffffffn : BigInt(freelistId), m + 32);
    p.writeBigUInt64LE(BigInt(pgid), m + 40);
    p.writeBigUInt64LE(page === 0 ? txid : txid - 1n, m + 48);
    p.writeBigUInt64LE(fnv(p.subarray(m, m + 56)), m + 56);
  }
  const db = Buffer.concat(pages);
  if (options.trailer === false) return db;
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

function leafPage(entries: Entry[]): Buffer {
  const elements = Buffer.alloc(header + entries.length * 16);
  elements.writeUInt16LE(0x02, 8);
  elements.writeUInt16LE(entries.length, 10);
  const data: Buffer[] = [];
  let offset = elements.length;
  entries.forEach((e, i) => {
    const at = header + i * 16;
    elements.writeUInt32LE(e.bucket ? 1 : 0, at);
    elements.writeUInt32LE(offset - at, at + 4);
    elements.writeUInt32LE(e.key.length, at + 8);
    elements.writeUInt32LE(e.value.length, at + 12);
    data.push(e.key, e.value);
    offset += e.key.length + e.value.length;
  });
  return Buffer.concat([elements, ...data]);
}

function branchPage(children: { key: Buffer; id: number }[]): Buffer {
  const elements = Buffer.alloc(header + children.length * 16);
  elements.writeUInt16LE(0x01, 8);
  elements.writeUInt16LE(children.length, 10);
  let offset = elements.length;
  children.forEach((c, i) => {
    const at = header + i * 16;
    elements.writeUInt32LE(offset - at, at);
    elements.writeUInt32LE(c.key.length, at + 4);
    elements.writeBigUInt64LE(BigInt(c.id), at + 8);
    offset += c.key.length;
  });
  return Buffer.concat([elements, ...children.map((c) => c.key)]);
}

function fnv(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}

/** An etcd `key` bucket key: 8-byte main, '_', 8-byte sub, optional 't'. */
export function revisionKey(main: number, sub = 0, tombstone = false): string {
  const b = Buffer.alloc(tombstone ? 18 : 17);
  b.writeBigUInt64BE(BigInt(main), 0);
  b[8] = 0x5f;
  b.writeBigUInt64BE(BigInt(sub), 9);
  if (tombstone) b[17] = 0x74;
  return b.toString('latin1');
}
