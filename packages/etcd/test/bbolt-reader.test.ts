import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '@lifeboat/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fnv1a64 } from '../src/bbolt/fnv1a64.ts';
import { BoltDb, type BucketRef, checkBolt } from '../src/index.ts';
import { buildBolt, type Tree } from './bbolt-builder.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-bbolt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `db-${n++}`);
  await writeFile(path, bytes);
  return path;
}

async function withDb<T>(bytes: Uint8Array, fn: (db: BoltDb) => Promise<T>): Promise<T> {
  const db = await BoltDb.open(await file(bytes));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function keys(db: BoltDb, bucket: BucketRef, reverse = false): Promise<string[]> {
  const out: string[] = [];
  for await (const e of db.entries(bucket, { reverse })) out.push(e.key.toString('latin1'));
  return out;
}

const pad = (i: number) => `k${String(i).padStart(5, '0')}`;
const many = (count: number, value: (i: number) => string = (i) => `v${i}`): Tree =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [pad(i), value(i)]));

describe('FNV-1a 64', () => {
  it('matches the published test vectors', () => {
    expect(fnv1a64(Buffer.from(''))).toBe(0xcbf29ce484222325n);
    expect(fnv1a64(Buffer.from('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64(Buffer.from('foobar'))).toBe(0x85944171f73967e8n);
  });
});

describe('bbolt reader', () => {
  it('lists top-level buckets and their entries in key order', async () => {
    const bytes = buildBolt({ zeta: { b: '2', a: '1' }, alpha: { x: 'y' } });
    await withDb(bytes, async (db) => {
      expect(db.hasTrailer).toBe(true);
      expect(db.dbSize).toBe(bytes.length - 32);
      expect(await keys(db, db.root())).toEqual(['alpha', 'zeta']);
      const zeta = (await db.bucket('zeta'))!;
      const values: string[] = [];
      for await (const e of db.entries(zeta)) values.push(`${e.key}=${e.value}`);
      expect(values).toEqual(['a=1', 'b=2']);
      expect(await db.bucket('nope')).toBeUndefined();
    });
  });

  it('walks multi-level branch pages forwards and backwards', async () => {
    const tree = many(3000);
    await withDb(buildBolt({ big: tree }, { fanout: 5 }), async (db) => {
      const bucket = (await db.bucket('big'))!;
      expect('root' in bucket).toBe(true);
      const expected = Object.keys(tree).sort();
      expect(await keys(db, bucket)).toEqual(expected);
      expect(await keys(db, bucket, true)).toEqual([...expected].reverse());
      expect((await db.get(bucket, pad(1234)))?.value.toString()).toBe('v1234');
      expect(await db.get(bucket, 'k99999')).toBeUndefined();
      expect(await db.get(bucket, 'a')).toBeUndefined();
      const report = await checkBolt(db);
      expect(report.entries).toBe(3001);
      expect(report.reachable + report.free).toBe(report.pages);
    });
  });

  it('reads the same through a one-block page cache: walks both ways, lookups, overflow values', async () => {
    // ~4 MiB: many times the cache, so blocks are evicted and recycled while pages are read.
    const tree = many(2000, (i) =>
      `${i}:`.padEnd(i % 7 === 0 ? 9000 : 1500, String.fromCharCode(97 + (i % 26))),
    );
    const path = await file(buildBolt({ big: tree }, { fanout: 7 }));
    const read = async (cacheBlocks?: number) => {
      const db = await BoltDb.open(path, cacheBlocks === undefined ? {} : { cacheBlocks });
      try {
        const bucket = (await db.bucket('big'))!;
        const values: string[] = [];
        for await (const e of db.entries(bucket)) values.push(`${e.key.toString()}=${e.value.toString()}`);
        const reversed: string[] = [];
        for await (const e of db.entries(bucket, { reverse: true })) reversed.push(e.key.toString());
        const got = (await db.get(bucket, pad(1001)))?.value.toString();
        return { values, reversed, got };
      } finally {
        await db.close();
      }
    };
    const small = await read(1);
    expect(small.values).toEqual(Object.entries(tree).map(([k, v]) => `${k}=${v}`));
    expect(small.reversed).toEqual(Object.keys(tree).reverse());
    expect(small.got).toBe(tree[pad(1001)]);
    expect(await read()).toEqual(small);
  });

  it('reads values that spill into overflow pages', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    await withDb(
      buildBolt({ b: { a: 'small', big, c: Buffer.alloc(5000, 1) } }, { fanout: 2 }),
      async (db) => {
        const got = new Map<string, Buffer>();
        for await (const e of db.entries((await db.bucket('b'))!))
          got.set(e.key.toString(), Buffer.from(e.value));
        expect(got.get('big')!.equals(big)).toBe(true);
        expect(got.get('c')!.equals(Buffer.alloc(5000, 1))).toBe(true);
        expect(got.get('a')!.toString()).toBe('small');
      },
    );
  });

  it('opens inline buckets and nested buckets, inline or not', async () => {
    const bytes = buildBolt(
      { outer: { inner: { x: '1' }, deep: { level2: { y: '2' }, ...many(50) }, plain: 'v' } },
      { fanout: 8 },
    );
    await withDb(bytes, async (db) => {
      const outer = (await db.bucket('outer'))!;
      expect(await keys(db, outer)).toEqual(['deep', 'inner', 'plain']);
      const inner = (await db.bucket('inner', outer))!;
      expect('inline' in inner).toBe(true);
      expect(await keys(db, inner)).toEqual(['x']);
      const deep = (await db.bucket('deep', outer))!;
      expect('root' in deep).toBe(true);
      const level2 = (await db.bucket('level2', deep))!;
      expect(await keys(db, level2)).toEqual(['y']);
      expect(await db.bucket('plain', outer)).toBeUndefined();
      const seen: string[] = [];
      const report = await checkBolt(db, (path, e) => seen.push([...path, e.key].join('/')));
      expect(seen).toContain('outer/deep/level2/y');
      expect(seen.indexOf('outer/deep')).toBeLessThan(seen.indexOf('outer/deep/level2/y'));
      expect(report.buckets).toBe(4);
    });
  });

  it('handles an empty db and empty buckets', async () => {
    await withDb(buildBolt({}), async (db) => {
      expect(await keys(db, db.root())).toEqual([]);
      expect((await checkBolt(db)).entries).toBe(0);
    });
    await withDb(buildBolt({ empty: {} }), async (db) => {
      expect(await keys(db, (await db.bucket('empty'))!)).toEqual([]);
    });
  });

  it.each([1024, 8192, 16384, 65536])('reads %i-byte pages', async (pageSize) => {
    await withDb(buildBolt({ b: many(200) }, { pageSize, fanout: 16 }), async (db) => {
      expect(db.pageSize).toBe(pageSize);
      expect(await keys(db, (await db.bucket('b'))!)).toHaveLength(200);
    });
  });

  it('accepts a raw db without a trailer', async () => {
    await withDb(buildBolt({ b: { k: 'v' } }, { trailer: false }), async (db) => {
      expect(db.hasTrailer).toBe(false);
      expect(await keys(db, db.root())).toEqual(['b']);
    });
  });

  it('checks a persisted freelist: free pages count as free, not as lost', async () => {
    await withDb(buildBolt({ b: many(100) }, { freePages: 3, fanout: 10 }), async (db) => {
      expect(db.meta.freelist).toBe(2);
      const report = await checkBolt(db);
      expect(report.free).toBe(3);
      expect(report.reachable + report.free).toBe(report.pages);
    });
  });
});

describe('meta pages', () => {
  function setMeta(bytes: Buffer, page: number, pageSize: number, field: number, value: bigint): void {
    const m = page * pageSize + 16;
    bytes.writeBigUInt64LE(value, m + field);
    bytes.writeBigUInt64LE(fnv1a64(bytes.subarray(m, m + 56)), m + 56);
  }

  it('uses the valid meta page with the higher txid', async () => {
    const bytes = buildBolt({ b: { k: 'v' } }, { trailer: false });
    await withDb(bytes, async (db) => {
      expect(db.meta.page).toBe(0);
      expect(db.meta.txid).toBe(7n);
    });
    setMeta(bytes, 1, 4096, 48, 9n);
    await withDb(bytes, async (db) => expect(db.meta.page).toBe(1));
  });

  it('falls back to meta 1 (with a warning) when meta 0 is damaged, as bbolt does', async () => {
    const bytes = buildBolt({ b: { k: 'v' } }, { trailer: false, pageSize: 16384 });
    bytes[16 + 12]! ^= 0x01; // meta 0 flags: checksum no longer matches
    await withDb(bytes, async (db) => {
      expect(db.meta.page).toBe(1);
      expect(db.pageSize).toBe(16384);
      expect(db.warning).toMatch(/meta page 0 is invalid \(checksum mismatch/);
      expect(await keys(db, db.root())).toEqual(['b']);
    });
  });

  it('refuses a file whose meta pages are both invalid', async () => {
    const bytes = buildBolt({ b: { k: 'v' } });
    bytes[16]! ^= 0xff;
    bytes[4096 + 16 + 60]! ^= 0x01;
    await expect(BoltDb.open(await file(bytes))).rejects.toThrow(/meta pages.*neither is valid.*bad magic/);
  });

  it('refuses something that is not a bbolt file', async () => {
    await expect(BoltDb.open(await file(Buffer.alloc(20_000, 0x41)))).rejects.toThrow(/bad magic/);
    await expect(BoltDb.open(await file(Buffer.alloc(100)))).rejects.toThrow(/too short/);
  });

  it('refuses a meta whose root or high-water mark is impossible', async () => {
    const bytes = buildBolt({ b: { k: 'v' } }, { trailer: false });
    setMeta(bytes, 0, 4096, 16, 1n); // root = meta page 1
    setMeta(bytes, 1, 4096, 16, 1n);
    await expect(BoltDb.open(await file(bytes))).rejects.toThrow(/root page 1 is outside 2\.\./);
    const tall = buildBolt({ b: { k: 'v' } }, { trailer: false });
    setMeta(tall, 0, 4096, 40, 1000n);
    await expect(BoltDb.open(await file(tall))).rejects.toThrow(/the db has 1000 pages .* truncated/);
  });
});

describe('damage', () => {
  async function failure(bytes: Buffer, run: (db: BoltDb) => Promise<unknown> = checkBolt): Promise<string> {
    try {
      await withDb(bytes, run);
    } catch (err) {
      expect(isLifeboatError(err, 'integrity')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected the damage to be detected');
  }

  /** The offset of page `id`'s bytes. */
  const at = (id: number) => id * 4096;

  function leafDb(): Buffer {
    // Root (page 2) holds bucket "b" (page 3 is its branch root); leaves are pages below it.
    return buildBolt({ b: many(16) }, { fanout: 4, trailer: false, inlineLimit: 0 });
  }

  async function bucketRoot(bytes: Buffer): Promise<number> {
    return withDb(bytes, async (db) => ((await db.bucket('b')) as { root: number }).root);
  }

  it('names a child pointer outside the file', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    expect(bytes.readUInt16LE(at(id) + 8)).toBe(0x01); // bucket b's root is a branch page
    bytes.writeBigUInt64LE(99_999n, at(id) + 16 + 8);
    expect(await failure(bytes)).toMatch(
      /element 0 of branch page \d+ .*points to page 99999, outside the data pages/,
    );
  });

  it('names a page whose header claims another id', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const child = Number(bytes.readBigUInt64LE(at(id) + 16 + 8));
    bytes.writeBigUInt64LE(12345n, at(child));
    expect(await failure(bytes)).toMatch(
      new RegExp(`page ${child} \\(offset 0x[0-9a-f]+\\): its header says it is page 12345`),
    );
  });

  it('names a page of the wrong type', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const child = Number(bytes.readBigUInt64LE(at(id) + 16 + 8));
    bytes.writeUInt16LE(0x10, at(child) + 8);
    expect(await failure(bytes)).toMatch(/is a freelist page where branch or leaf was expected/);
  });

  it('stops at a cycle instead of looping', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    // Point the branch's second child back at the branch itself.
    bytes.writeBigUInt64LE(BigInt(id), at(id) + 32 + 8);
    expect(await failure(bytes)).toMatch(/reached a second time/);
  });

  it('detects a page shared by two parents', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const first = bytes.readBigUInt64LE(at(id) + 16 + 8);
    bytes.writeBigUInt64LE(first, at(id) + 32 + 8);
    expect(await failure(bytes)).toMatch(/reached a second time|not after the key before|out of order/);
  });

  it('names an element that runs past its page', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const leaf = Number(bytes.readBigUInt64LE(at(id) + 16 + 8));
    bytes.writeUInt32LE(0xfffff, at(leaf) + 16 + 12); // element 0's value size
    expect(await failure(bytes)).toMatch(
      new RegExp(`page ${leaf} .*element 0: value at bytes .* runs past the page end`),
    );
  });

  it('names an element count that does not fit', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    bytes.writeUInt16LE(0xffff, at(id) + 10);
    expect(await failure(bytes)).toMatch(/65535 branch elements need \d+ bytes but the page has 4096/);
  });

  it('detects keys out of order', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const leaf = Number(bytes.readBigUInt64LE(at(id) + 16 + 8));
    // Element 1's key "k00001" becomes "k00000", equal to element 0's.
    const pos = bytes.readUInt32LE(at(leaf) + 32 + 4);
    bytes.write('k00000', at(leaf) + 32 + pos, 'latin1');
    expect(await failure(bytes)).toMatch(/key 1 \("k00000"\) is not after the key before it/);
  });

  it('detects a key outside its branch range', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    const second = Number(bytes.readBigUInt64LE(at(id) + 32 + 8));
    const pos = bytes.readUInt32LE(at(second) + 16 + 4);
    bytes.write('k00000', at(second) + 16 + pos, 'latin1');
    expect(await failure(bytes)).toMatch(/sorts before its parent's branch key|out of order/);
  });

  it('detects overflow pages past the end', async () => {
    const bytes = leafDb();
    const id = await bucketRoot(bytes);
    bytes.writeUInt32LE(5000, at(id) + 12);
    expect(await failure(bytes)).toMatch(/its 5000 overflow pages run past the last page/);
  });

  it('detects an inline bucket with a broken page', async () => {
    const bytes = buildBolt({ small: { a: '1' } }, { trailer: false });
    // The root leaf (page 2) holds "small" whose value is 16 bytes of header + an inline leaf.
    const root = Number(bytes.readBigUInt64LE(16 + 16));
    const pos = bytes.readUInt32LE(at(root) + 16 + 4);
    const value = at(root) + 16 + pos + 'small'.length;
    bytes.writeUInt16LE(0x01, value + 16 + 8); // inline page flags: branch
    expect(await failure(bytes)).toMatch(
      /the inline page of bucket "small": is a branch page; inline pages are leaves/,
    );
  });

  it('reports unreachable pages and double use with a persisted freelist', async () => {
    const bytes = buildBolt({ b: many(30) }, { freePages: 2, fanout: 10, trailer: false, inlineLimit: 0 });
    const count = bytes.readUInt16LE(at(2) + 10);
    bytes.writeUInt16LE(count - 1, at(2) + 10); // forget one free page
    expect(await failure(bytes)).toMatch(/neither reachable nor free/);
    const again = buildBolt({ b: many(30) }, { freePages: 2, fanout: 10, trailer: false, inlineLimit: 0 });
    const id = await bucketRoot(again);
    again.writeBigUInt64LE(BigInt(id), at(2) + 16); // list a page in use as free
    expect(await failure(again)).toMatch(/in use but also listed as free/);
    const twice = buildBolt({ b: many(30) }, { freePages: 2, fanout: 10, trailer: false, inlineLimit: 0 });
    twice.writeBigUInt64LE(twice.readBigUInt64LE(at(2) + 16), at(2) + 24);
    expect(await failure(twice)).toMatch(/page 2 .*: lists page \d+ twice/);
  });

  it('names a truncated file', async () => {
    const bytes = buildBolt({ b: many(500) }, { fanout: 20 });
    expect(await failure(bytes.subarray(0, bytes.length - 100))).toMatch(
      /neither whole 4096-byte pages nor pages plus a 32-byte trailer: truncated/,
    );
    expect(await failure(bytes.subarray(0, bytes.length - 32 - 4096))).toMatch(
      /the db has \d+ pages .*truncated/,
    );
  });
});

describe('random damage', () => {
  it('never crashes or hangs: every outcome is a result or an integrity error', async () => {
    const clean = buildBolt(
      { a: many(300), b: { nested: many(40), inline: { x: '1' } }, c: { big: Buffer.alloc(20_000, 3) } },
      { fanout: 7, trailer: false },
    );
    let random = 12345;
    const next = () => {
      random = (Math.imul(random, 1103515245) + 12345) >>> 0;
      return random;
    };
    let detected = 0;
    const started = Date.now();
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(clean);
      const page = 2 + (next() % (bytes.length / 4096 - 2));
      const hits = 1 + (next() % 8);
      for (let i = 0; i < hits; i++) bytes[page * 4096 + (next() % (i < 4 ? 64 : 4096))] = next() & 0xff;
      try {
        await withDb(bytes, async (db) => {
          await checkBolt(db);
          for await (const _ of db.entries(db.root(), { reverse: true })) void _;
        });
      } catch (err) {
        if (!isLifeboatError(err)) throw err;
        detected++;
      }
    }
    expect(detected).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
