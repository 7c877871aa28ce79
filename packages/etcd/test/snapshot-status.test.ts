import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BoltDb,
  crc32c,
  decodeKeyValue,
  encode,
  type KeyValue,
  liveKeys,
  normalizeSemver,
  parseRevisionKey,
  revisions,
  snapshotStatus,
} from '../src/index.ts';
import { KeyHashSet } from '../src/snapshot/key-hash-set.ts';
import { buildBolt, revisionKey, type Tree } from './bbolt-builder.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-snapshot-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `snap-${n++}.db`);
  await writeFile(path, bytes);
  return path;
}

/** Bit-at-a-time CRC-32C, independent of the table-driven one under test. */
function slowCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function kv(key: string, value: string, mod: number, create = mod, version = 1, lease = 0n): Buffer {
  return encode([
    { number: 1, bytes: key },
    { number: 2, varint: create },
    { number: 3, varint: mod },
    { number: 4, varint: version },
    value ? { number: 5, bytes: value } : undefined,
    lease ? { number: 6, varint: lease } : undefined,
  ]);
}

type Op = ['put', string, string, bigint?] | ['del', string];

/** An etcd-shaped db: the `key` bucket filled from puts and deletes, one revision each from 2. */
function etcdDb(ops: Op[], extra: { storageVersion?: string; fanout?: number } = {}): Buffer {
  const key: Tree = {};
  const state = new Map<string, { create: number; version: number }>();
  ops.forEach((op, i) => {
    const rev = i + 2;
    if (op[0] === 'put') {
      const prev = state.get(op[1]);
      const create = prev?.create ?? rev;
      const version = (prev?.version ?? 0) + 1;
      state.set(op[1], { create, version });
      key[revisionKey(rev)] = kv(op[1], op[2], rev, create, version, op[3] ?? 0n);
    } else {
      state.delete(op[1]);
      key[revisionKey(rev, 0, true)] = encode([{ number: 1, bytes: op[1] }]);
    }
  });
  const meta: Tree = { consistent_index: Buffer.alloc(8, 1), term: Buffer.alloc(8, 2) };
  if (extra.storageVersion !== undefined) meta['storageVersion'] = extra.storageVersion;
  return buildBolt(
    { alarm: {}, auth: { enabled: Buffer.from([0]) }, key, lease: {}, members: { abc: '{"id":1}' }, meta },
    { fanout: extra.fanout ?? 16 },
  );
}

const ops: Op[] = [
  ['put', '/a', '1'],
  ['put', '/b', '2'],
  ['put', '/a', '11'],
  ['del', '/b'],
  ['put', '/c', '3', 7587869876543210123n],
  ['put', '/b', 'again'],
  ['del', '/c'],
  ['put', '/d', '4'],
];

describe('CRC-32C', () => {
  it('matches the check value and a bitwise implementation, in pieces too', () => {
    expect(crc32c(0, Buffer.from('123456789'))).toBe(0xe3069283);
    const data = Buffer.from(Array.from({ length: 10_007 }, (_, i) => (i * 31 + 7) & 0xff));
    expect(crc32c(0, data)).toBe(slowCrc32c(data));
    expect(crc32c(crc32c(crc32c(0, data.subarray(0, 3)), data.subarray(3, 4000)), data.subarray(4000))).toBe(
      slowCrc32c(data),
    );
    expect(crc32c(0, Buffer.alloc(0))).toBe(0);
  });
});

describe('snapshotStatus', () => {
  it('computes hash, revision, totalKey and size the way etcdutl does', async () => {
    const bytes = etcdDb(ops, { storageVersion: '3.6.0' });
    const path = await file(bytes);
    // The hash etcdutl computes: each top-level bucket name, then its keys and values in order.
    const pieces: Buffer[] = [];
    let entries = 0;
    const db = await BoltDb.open(path);
    for await (const top of db.entries(db.root())) {
      pieces.push(Buffer.from(top.key));
      for await (const e of db.entries(db.bucketOf(top, db.root()))) {
        pieces.push(Buffer.from(e.key), Buffer.from(e.value));
        entries++;
      }
    }
    await db.close();
    const expectedHash = slowCrc32c(Buffer.concat(pieces));
    const size = (bytes.length - 32) as number;

    const v36 = await snapshotStatus(path);
    expect(v36).toEqual({ hash: expectedHash, revision: 9, totalKey: 3, totalSize: size, version: '3.6.0' });
    const v35 = await snapshotStatus(path, { semantics: '3.5' });
    expect(v35).toEqual({ ...v36, totalKey: entries });
    expect(entries).toBe(8 + 1 + 1 + 3); // key, auth, members, meta
  });

  it('follows the storage version: none recorded means 3.5 semantics', async () => {
    const path = await file(etcdDb(ops));
    const status = await snapshotStatus(path);
    expect(status.version).toBe('');
    expect(status.totalKey).toBe(12);
    expect((await snapshotStatus(path, { semantics: '3.6' })).totalKey).toBe(3);
  });

  it('reports revision 0 and no keys for an empty key bucket', async () => {
    const status = await snapshotStatus(await file(etcdDb([], { storageVersion: '3.6.0' })));
    expect(status).toMatchObject({ revision: 0, totalKey: 0, version: '3.6.0' });
  });

  it('walks a deep key bucket with thousands of revisions', async () => {
    const many: Op[] = [];
    for (let i = 0; i < 5000; i++) many.push(['put', `/k/${i % 1200}`, `v${i}`]);
    for (let i = 0; i < 100; i++) many.push(['del', `/k/${i}`]);
    const path = await file(etcdDb(many, { storageVersion: '3.6.0', fanout: 9 }));
    const status = await snapshotStatus(path);
    expect(status.revision).toBe(5101);
    expect(status.totalKey).toBe(1100);
  });

  it('checks the sha256 trailer when there is one', async () => {
    const bytes = etcdDb(ops, { storageVersion: '3.6.0' });
    bytes[bytes.length - 1]! ^= 1;
    const path = await file(bytes);
    await expect(snapshotStatus(path)).rejects.toThrow(/sha256 trailer .* does not match the data/);
    expect((await snapshotStatus(path, { trailer: 'ignore' })).totalKey).toBe(3);
  });

  it('detects damage in a page bbolt would never read, through the trailer', async () => {
    const clean = etcdDb(ops, { storageVersion: '3.6.0' });
    const bytes = Buffer.concat([
      clean.subarray(0, clean.length - 32),
      Buffer.alloc(4096),
      clean.subarray(-32),
    ]);
    // A page past the high-water mark is outside bbolt's reach; only the trailer covers it.
    await expect(snapshotStatus(await file(bytes))).rejects.toThrow(/does not match the data/);
  });

  it("past the worker threshold, the walk copying the worker's blocks gets the same status", async () => {
    // 72 values of 1 MiB: the trailer is hashed in a worker the walk shares blocks with.
    let random = 7;
    const value = (i: number) => {
      const bytes = Buffer.alloc(768 * 1024);
      for (let j = 0; j < bytes.length; j += 4) {
        random = (Math.imul(random, 1664525) + 1013904223 + i) >>> 0;
        bytes.writeUInt32LE(random, j);
      }
      return bytes.toString('base64');
    };
    const big: Op[] = [];
    for (let i = 0; i < 72; i++) big.push(['put', `/big/${i % 60}`, value(i)]);
    const bytes = etcdDb(big, { storageVersion: '3.6.0' });
    expect(bytes.length).toBeGreaterThan(64 * 1024 * 1024);
    const path = await file(bytes);
    const shared = await snapshotStatus(path);
    const alone = await snapshotStatus(path, { trailer: 'ignore' });
    expect(shared).toEqual(alone);
    expect(shared).toMatchObject({ revision: 73, totalKey: 60 });
    // One byte changed deep inside a value: a different hash, and the trailer no longer matches.
    const at = bytes.indexOf('/big/30') + 300 * 1024;
    expect(at).toBeGreaterThan(300 * 1024);
    bytes[at]! ^= 0x01;
    const damaged = await file(bytes);
    await expect(snapshotStatus(damaged)).rejects.toThrow(/does not match the data/);
    expect((await snapshotStatus(damaged, { trailer: 'ignore' })).hash).not.toBe(alone.hash);
  }, 60_000);

  it('can require a trailer', async () => {
    const raw = etcdDb(ops, { storageVersion: '3.6.0' }).subarray(0, -32);
    const path = await file(raw);
    expect((await snapshotStatus(path)).totalKey).toBe(3);
    await expect(snapshotStatus(path, { trailer: 'require' })).rejects.toThrow(/has no sha256 trailer/);
  });

  it('refuses a damaged revision key or KeyValue', async () => {
    const bad = buildBolt({ key: { short: kv('/a', '1', 2) }, meta: { storageVersion: '3.6.0' } });
    await expect(snapshotStatus(await file(bad))).rejects.toThrow(
      /a revision key is 17 or 18 bytes, this one 5/,
    );
    const garbage = buildBolt({
      key: { [revisionKey(2)]: Buffer.from([0x0a, 0x50]) },
      meta: { storageVersion: '3.6.0' },
    });
    await expect(snapshotStatus(await file(garbage))).rejects.toThrow(
      /malformed mvccpb.KeyValue at revision 2_0/,
    );
    // etcdutl 3.5 never decodes values, and neither does its semantics here.
    expect((await snapshotStatus(await file(garbage), { semantics: '3.5' })).totalKey).toBe(2);
  });

  it('refuses a top-level key that is not a bucket', async () => {
    await expect(snapshotStatus(await file(buildBolt({ key: {}, stray: 'x' })))).rejects.toThrow(
      /not an etcd database: top-level key stray is not a bucket/,
    );
  });

  it('stops when aborted', async () => {
    const path = await file(etcdDb(ops));
    await expect(snapshotStatus(path, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});

describe('mvcc', () => {
  it('parses revision keys and tombstones, refusing malformed ones', () => {
    expect(parseRevisionKey(Buffer.from(revisionKey(5, 2), 'latin1'), 'x')).toEqual({
      main: 5,
      sub: 2,
      tombstone: false,
    });
    expect(parseRevisionKey(Buffer.from(revisionKey(5, 0, true), 'latin1'), 'x').tombstone).toBe(true);
    const noSep = Buffer.from(revisionKey(5), 'latin1');
    noSep[8] = 0x2d;
    expect(() => parseRevisionKey(noSep, 'here')).toThrow(/here: revision key .* lacks the '_' separator/);
    const negative = Buffer.from(revisionKey(5), 'latin1');
    negative[0] = 0xff;
    expect(() => parseRevisionKey(negative, 'here')).toThrow(/impossible revision/);
  });

  it('decodes KeyValue including 64-bit lease ids', () => {
    const got = decodeKeyValue(kv('/x', 'hello', 9, 4, 3, 7587869876543210123n), 'kv');
    expect(got).toEqual({
      key: Buffer.from('/x'),
      value: Buffer.from('hello'),
      createRevision: 4,
      modRevision: 9,
      version: 3,
      lease: 7587869876543210123n,
    } satisfies KeyValue);
  });

  it('skips unknown fields, refuses known ones of the wrong type, like gogo/protobuf', () => {
    const withUnknown = Buffer.concat([
      kv('/k', 'v', 3),
      encode([
        { number: 9, varint: 5 },
        { number: 10, bytes: 'future' },
      ]),
    ]);
    expect(decodeKeyValue(withUnknown, 'kv')).toMatchObject({ key: Buffer.from('/k'), modRevision: 3 });
    expect(() => decodeKeyValue(encode([{ number: 3, bytes: 'x' }]), 'kv at 7_0')).toThrow(
      /malformed kv at 7_0: field 3 has wire type 2, expected 0/,
    );
    expect(decodeKeyValue(encode([{ number: 6, varint: -2n }]), 'kv').lease).toBe(-2n);
    expect(() => decodeKeyValue(Buffer.from([0x10, 0x80]), 'kv')).toThrow(/truncated varint/);
  });

  it('iterates every revision, oldest first', async () => {
    const db = await BoltDb.open(await file(etcdDb(ops)));
    const got: string[] = [];
    for await (const r of revisions(db))
      got.push(`${r.revision.main}${r.revision.tombstone ? 't' : ''}:${r.kv.key}`);
    await db.close();
    expect(got).toEqual(['2:/a', '3:/b', '4:/a', '5t:/b', '6:/c', '7:/b', '8t:/c', '9:/d']);
  });

  it('yields the live keys at the latest revision, in modification order', async () => {
    const db = await BoltDb.open(await file(etcdDb(ops, { fanout: 3 })));
    const got: KeyValue[] = [];
    for await (const k of liveKeys(db)) got.push(k);
    const prefixed: string[] = [];
    for await (const k of liveKeys(db, { prefix: '/b' })) prefixed.push(k.key.toString());
    await db.close();
    expect(
      got.map((k) => [k.key.toString(), k.value.toString(), k.createRevision, k.modRevision, k.version]),
    ).toEqual([
      ['/a', '11', 2, 4, 2],
      ['/b', 'again', 7, 7, 1],
      ['/d', '4', 9, 9, 1],
    ]);
    expect(prefixed).toEqual(['/b']);
  });

  it('hands out copies by default, views that the walk reuses on request', async () => {
    const history: Op[] = Array.from({ length: 400 }, (_, i) => [
      'put',
      `/k/${String(i).padStart(3, '0')}`,
      `v${i}`,
    ]);
    const db = await BoltDb.open(await file(etcdDb(history, { fanout: 4 })));
    const kept: KeyValue[] = [];
    for await (const k of liveKeys(db)) kept.push(k);
    const views: KeyValue[] = [];
    for await (const k of liveKeys(db, { copy: false })) views.push(k);
    const records = [];
    for await (const r of revisions(db)) records.push(r);
    await db.close();
    expect(kept.map((k) => k.value.toString())).toEqual(history.map((op) => op[2]));
    expect(records.map((r) => r.kv.key.toString())).toEqual(history.map((op) => op[1]));
    // Views kept past their page show whatever the walk read into that buffer last.
    expect(views.map((k) => k.value.toString())).not.toEqual(history.map((op) => op[2]));
  });

  it('agrees with a Map-based model on a random history', async () => {
    let random = 42;
    const next = (m: number) => {
      random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
      return random % m;
    };
    const history: Op[] = [];
    const model = new Map<string, string>();
    for (let i = 0; i < 4000; i++) {
      const key = `/registry/k${next(700)}`;
      if (next(5) === 0) {
        if (!model.has(key)) continue;
        model.delete(key);
        history.push(['del', key]);
      } else {
        const value = `v${i}`;
        model.set(key, value);
        history.push(['put', key, value]);
      }
    }
    const db = await BoltDb.open(await file(etcdDb(history, { fanout: 11 })));
    const got = new Map<string, string>();
    let lastMod = 0;
    for await (const k of liveKeys(db)) {
      expect(k.modRevision).toBeGreaterThan(lastMod);
      lastMod = k.modRevision;
      got.set(k.key.toString(), k.value.toString());
    }
    await db.close();
    expect(got).toEqual(model);
    expect((await snapshotStatus(db.path, { semantics: '3.6' })).totalKey).toBe(model.size);
  });
});

describe('KeyHashSet', () => {
  it('keeps distinct keys apart through growth, with a flag per key', () => {
    const set = new KeyHashSet(16);
    for (let i = 0; i < 50_000; i++) {
      const { slot, added } = set.insert(Buffer.from(`/registry/pods/ns/p${i}`));
      expect(added).toBe(true);
      set.setFlag(slot, i % 3 === 0);
    }
    expect(set.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) {
      const { slot, added } = set.insert(Buffer.from(`/registry/pods/ns/p${i}`));
      expect(added).toBe(false);
      expect(set.flag(slot)).toBe(i % 3 === 0);
    }
    expect(set.countFlagged()).toBe(16_667);
    expect(set.insert(Buffer.alloc(0)).added).toBe(true);
    expect(set.insert(Buffer.alloc(0)).added).toBe(false);
  });
});

describe('storage version', () => {
  it.each([
    ['3.6.0', '3.6.0'],
    ['03.6.00', '3.6.0'],
    ['3.7.0-alpha.1+build.5', '3.7.0-alpha.1+build.5'],
    ['3.6', undefined],
    ['v3.6.0', undefined],
    ['3.6.0-', '3.6.0'],
    ['3.6.0-al_pha', undefined],
    ['', undefined],
  ])('%j prints as etcdutl would: %j', (input, expected) => {
    expect(normalizeSemver(input)).toBe(expected);
  });
});
