// Damaged snapshot files, made from a real etcd 3.6 snapshot: every
// single-byte flip in both meta pages, truncation at many points, and random
// damage to data pages. Each is detected (an 'integrity' error naming what is
// wrong), or - where bbolt itself tolerates it - gives etcdutl's exact answer;
// never a crash, never a hang.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '@lifeboat/core';
import { type SnapshotStatus, snapshotStatus } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcd } from '../infra/index.ts';
import { etcdutlPaths, etcdutlStatus, putMany } from './snapshot-status-helpers.ts';

type Outcome = { ok: SnapshotStatus } | { error: string };

async function outcome(file: string, trailer: 'verify' | 'ignore' = 'verify'): Promise<Outcome> {
  try {
    return { ok: await snapshotStatus(file, { trailer }) };
  } catch (err) {
    if (!isLifeboatError(err, 'integrity')) throw err; // anything else is a crash
    return { error: err.message };
  }
}

async function etcdutlOutcome(bin: string, file: string): Promise<Outcome> {
  try {
    const { version = '', ...rest } = await etcdutlStatus(bin, file);
    return { ok: { ...rest, version } };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0]! };
  }
}

describe('damaged snapshot files', () => {
  let cluster: EtcdCluster;
  let dir: string;
  let utl: { '3.5': string; '3.6': string };
  let snapshot: string;
  let raw: string;
  let baseline: SnapshotStatus;
  let pageSize: number;
  let pages: number;

  beforeAll(async () => {
    utl = await etcdutlPaths();
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-corruption-'));
    cluster = await startEtcd({ version: '3.6' });
    await putMany(
      cluster,
      Array.from({ length: 800 }, (_, i) => [`/k/${i}`, `v${i}`.repeat(i % 30)] as [string, string]),
    );
    await putMany(cluster, [['/big', randomBytes(200_000)]]);
    await cluster.etcdctl(['del', '--prefix', '/k/1']);
    snapshot = join(dir, 'snapshot.db');
    await cluster.etcdctl(['snapshot', 'save', snapshot]);
    const bytes = await readFile(snapshot);
    raw = join(dir, 'raw.db');
    await writeFile(raw, bytes.subarray(0, bytes.length - 32));
    baseline = await snapshotStatus(snapshot);
    expect(baseline).toEqual(await etcdutlStatus(utl['3.6'], snapshot));
    pageSize = bytes.readUInt32LE(24);
    pages = (bytes.length - 32) / pageSize;
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `check` on a copy of `source` with the byte at each offset XOR 0xff, one offset at a time. */
  async function flipEach(
    source: string,
    offsets: Iterable<number>,
    check: (offset: number, file: string) => Promise<void>,
  ) {
    const file = join(dir, 'flipped.db');
    await copyFile(source, file);
    const handle = await open(file, 'r+');
    try {
      const byte = Buffer.alloc(1);
      for (const offset of offsets) {
        await handle.read(byte, 0, 1, offset);
        byte[0]! ^= 0xff;
        await handle.write(byte, 0, 1, offset);
        await check(offset, file);
        byte[0]! ^= 0xff;
        await handle.write(byte, 0, 1, offset);
      }
    } finally {
      await handle.close();
    }
  }

  const metaOffsets = () => Array.from({ length: 2 * pageSize }, (_, i) => i);

  it('detects every single-byte flip in both meta pages of a snapshot (the trailer covers them)', async () => {
    let detected = 0;
    await flipEach(snapshot, metaOffsets(), async (offset, file) => {
      const got = await outcome(file);
      if (!('error' in got)) throw new Error(`a flip at offset ${offset} went unnoticed`);
      detected++;
    });
    expect(detected).toBe(2 * pageSize);
  }, 300_000);

  it('in a raw db (no trailer), a meta flip is refused or changes nothing, like bbolt', async () => {
    const counts = { tolerated: 0, refused: 0 };
    const refusedAt: number[] = [];
    await flipEach(raw, metaOffsets(), async (offset, file) => {
      const got = await outcome(file);
      if ('ok' in got) {
        expect(got.ok, `flip at offset ${offset}`).toEqual(baseline);
        counts.tolerated++;
      } else {
        expect(got.error).toMatch(/is damaged: page [01] .*meta page header is damaged/);
        counts.refused++;
        refusedAt.push(offset);
      }
    });
    // Only the page id and type in each meta page's header: bbolt's check asserts them too (it panics).
    const header = Array.from({ length: 10 }, (_, i) => i); // id (8 bytes) and flags (2)
    expect(refusedAt).toEqual([...header, ...header.map((i) => pageSize + i)]);
    expect(counts.tolerated).toBe(2 * pageSize - 20);
  }, 300_000);

  it('agrees with etcdutl 3.5 and 3.6 on each flip of the meta structs and page headers', async () => {
    const offsets = [0, pageSize].flatMap((base) => Array.from({ length: 16 + 64 }, (_, i) => base + i));
    const disagreements: string[] = [];
    await flipEach(raw, offsets, async (offset, file) => {
      const ours = await outcome(file);
      for (const version of ['3.5', '3.6'] as const) {
        const theirs = await etcdutlOutcome(utl[version], file);
        if ('ok' in theirs !== 'ok' in ours) {
          disagreements.push(
            `offset ${offset}: etcdutl ${version} ${'ok' in theirs ? 'accepts' : 'refuses'}, we do not`,
          );
        } else if ('ok' in theirs) {
          const semantics = await snapshotStatus(file, { semantics: version });
          if (theirs.ok.hash !== semantics.hash || theirs.ok.totalKey !== semantics.totalKey) {
            disagreements.push(`offset ${offset}: etcdutl ${version} says ${JSON.stringify(theirs.ok)}`);
          }
        }
      }
    });
    expect(disagreements).toEqual([]);
  }, 300_000);

  it('refuses a file whose two meta pages are both damaged', async () => {
    const bytes = await readFile(raw);
    bytes[16]! ^= 0xff;
    bytes[pageSize + 16]! ^= 0xff;
    const file = join(dir, 'both.db');
    await writeFile(file, bytes);
    expect(await outcome(file)).toEqual({ error: expect.stringMatching(/meta pages: neither is valid/) });
    expect(await etcdutlOutcome(utl['3.6'], file)).toEqual({ error: expect.any(String) });
  });

  it('refuses a truncated file, naming the truncation', async () => {
    const size = pages * pageSize + 32;
    const cuts = [
      0,
      1,
      100,
      pageSize - 1,
      pageSize,
      2 * pageSize,
      2 * pageSize + 1,
      Math.floor(pages / 2) * pageSize,
      (pages - 1) * pageSize,
      size - 33,
      size - 31,
      size - 1,
    ];
    for (const cut of cuts) {
      const file = join(dir, `cut-${cut}.db`);
      await copyFile(snapshot, file);
      await truncate(file, cut);
      const got = await outcome(file);
      expect(got, `cut at ${cut}`).toEqual({
        error: expect.stringMatching(/truncated|too short|not a bbolt|bad magic/),
      });
    }
    // Cutting exactly the trailer leaves a valid raw db: the same status, but a saved snapshot is expected.
    const file = join(dir, 'no-trailer.db');
    await copyFile(snapshot, file);
    await truncate(file, size - 32);
    expect(await snapshotStatus(file)).toEqual(baseline);
    await expect(snapshotStatus(file, { trailer: 'require' })).rejects.toThrow(/no sha256 trailer/);
  });

  it('detects random damage to data pages, never crashes, and agrees with etcdutl when it can tell', async () => {
    const clean = await readFile(snapshot);
    let seed = 20260101;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const file = join(dir, 'random.db');
    const rawFile = join(dir, 'random-raw.db');
    const counts = { detectedRaw: 0, acceptedRaw: 0, comparedWithEtcdutl: 0 };
    const started = Date.now();
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(clean);
      const page = 2 + (next() % (pages - 2));
      const hits = 1 + (next() % 8);
      // Mostly the header and element table, where damage matters structurally.
      for (let i = 0; i < hits; i++)
        bytes[page * pageSize + (next() % (i % 2 ? pageSize : 96))] = next() & 0xff;
      if (bytes.equals(clean)) continue;
      await writeFile(file, bytes);
      const withTrailer = await outcome(file);
      expect(withTrailer, `round ${round}, page ${page}`).toEqual({ error: expect.any(String) });

      await writeFile(rawFile, bytes.subarray(0, bytes.length - 32));
      const ours = await outcome(rawFile);
      if ('ok' in ours) counts.acceptedRaw++;
      else counts.detectedRaw++;
      if (round % 5 === 0) {
        counts.comparedWithEtcdutl++;
        const theirs = await etcdutlOutcome(utl['3.6'], rawFile);
        // Whatever etcdutl refuses, we refuse; what both accept, both report alike.
        if ('error' in theirs)
          expect(ours, `round ${round}: etcdutl refused: ${theirs.error}`).toHaveProperty('error');
        if ('ok' in theirs && 'ok' in ours) expect(ours.ok).toEqual(theirs.ok);
      }
    }
    // The rest hit free pages or bytes inside values, which bbolt has no checksum for.
    expect(counts.detectedRaw).toBeGreaterThan(25);
    expect(counts.comparedWithEtcdutl).toBe(40);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
