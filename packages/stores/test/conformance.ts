// The contract of BackupStore (src/store.ts) as tests, run against every
// backend: a backend is done when this suite passes against a real server.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { type ErrorCode, isLifeboatError } from '@lifeboat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackupStore, compareKeys, type ObjectInfo } from '../src/index.ts';

export interface StoreUnderTest {
  /** An empty store, used by one test only. */
  store: BackupStore;
  /** Removes everything the store wrote. */
  cleanup: () => Promise<void>;
  /**
   * Every object put is locked (S3 Object Lock): deleting one must be refused
   * with a 'store' error saying until when, and leave the object readable.
   */
  deletesLocked?: boolean;
}

const MiB = 1024 * 1024;

/** Random bytes, and the same bytes cut at random places (so chunk boundaries vary run to run). */
export function randomData(size: number, maxChunk = 256 * 1024): { data: Buffer; chunks: Buffer[] } {
  const data = randomBytes(size);
  const chunks: Buffer[] = [];
  for (let at = 0; at < size; ) {
    const next = Math.min(size, at + randomInt(1, maxChunk + 1));
    chunks.push(data.subarray(at, next));
    at = next;
  }
  return { data, chunks };
}

export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function listAll(store: BackupStore, prefix?: string): Promise<ObjectInfo[]> {
  const found: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) found.push(info);
  return found;
}

/** Resolves to the error code promise rejects with; fails the test when it resolves or throws something else. */
export async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode> {
  const err = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  if (!isLifeboatError(err)) throw err;
  return err.code;
}

// Yields chunks, then throws error.
async function* failsAfter(chunks: Uint8Array[], error: Error): AsyncGenerator<Uint8Array> {
  yield* chunks;
  throw error;
}

// Yields chunks, then never yields again nor ends: only an abort ends the put.
async function* stallsAfter(chunks: Uint8Array[], onStall: () => void): AsyncGenerator<Uint8Array> {
  yield* chunks;
  onStall();
  await new Promise(() => {});
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

// Keys a folder-walking backend easily lists out of order: '.' and '-' sort
// before '/', so "a.txt" comes before "a/x"; astral characters sort after
// U+FFFD in UTF-8 but before it in UTF-16.
const orderingKeys = [
  'a/x',
  'a.txt',
  'a-b/c',
  'a/b/c',
  'a/bz',
  'ab',
  'b',
  'a/b/d/e',
  '\u{1F600}',
  '\uFFFD',
  'Z',
];

const badKeys = [
  '',
  '/a',
  'a/',
  'a//b',
  '.',
  '..',
  'a/./b',
  'a/../b',
  '../a',
  'a\\b',
  'a\0b',
  '.a.partial',
  'x/.a.partial/y',
];
const badPrefixes = ['/', '/a', 'a//', '../a', 'a/../b', 'a\\b', 'a\0', '.x.partial/'];

export function describeStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`BackupStore conformance: ${name}`, () => {
    let store: BackupStore;
    let cleanup: (() => Promise<void>) | undefined;
    let deletesLocked = false;

    beforeEach(async () => {
      ({ store, cleanup, deletesLocked = false } = await makeStore());
    });
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    const putBytes = (key: string, data: Uint8Array) => store.put(key, Readable.from([data]));

    it('describes its location as a non-empty string', () => {
      expect(typeof store.location).toBe('string');
      expect(store.location.length).toBeGreaterThan(0);
    });

    it('round-trips a multi-MB stream byte for byte', async () => {
      const { data, chunks } = randomData(6 * MiB + randomInt(1, 4096));
      const result = await store.put('c/n/big.bin', Readable.from(chunks), { size: data.length });
      expect(result.size).toBe(data.length);
      expect(result.sha256).toBe(sha256(data));
      const back = await readAll(await store.get('c/n/big.bin'));
      expect(back.length).toBe(data.length);
      expect(back.equals(data)).toBe(true);
    });

    it('takes an async iterable body', async () => {
      const { data, chunks } = randomData(MiB + randomInt(1, 4096), 64 * 1024);
      async function* body() {
        yield* chunks;
      }
      expect((await store.put('gen', body())).size).toBe(data.length);
      expect((await readAll(await store.get('gen'))).equals(data)).toBe(true);
    });

    it('stores an empty object', async () => {
      expect((await store.put('empty', Readable.from([]))).size).toBe(0);
      expect((await readAll(await store.get('empty'))).length).toBe(0);
      expect((await store.stat('empty'))?.size).toBe(0);
    });

    it('stats an object: size and modification time', async () => {
      const { data } = randomData(randomInt(1, 100_000));
      const before = Date.now();
      await putBytes('c/n/obj', data);
      const after = Date.now();
      const info = await store.stat('c/n/obj');
      expect(info?.size).toBe(data.length);
      expect(info?.modified).toBeInstanceOf(Date);
      // Clocks and timestamp granularity differ between servers: allow a minute.
      expect(info!.modified.getTime()).toBeGreaterThanOrEqual(before - 60_000);
      expect(info!.modified.getTime()).toBeLessThanOrEqual(after + 60_000);
    });

    it('stats a missing key, or a folder, as undefined', async () => {
      await putBytes('c/n/obj', randomBytes(10));
      expect(await store.stat('c/n/missing')).toBeUndefined();
      expect(await store.stat('c/n')).toBeUndefined();
      expect(await store.stat('c/n/obj/deeper')).toBeUndefined();
    });

    it('lists every key in UTF-8 byte order, with sizes', async () => {
      const sizes = new Map(orderingKeys.map((key) => [key, randomInt(0, 2000)]));
      for (const [key, size] of sizes) await putBytes(key, randomBytes(size));
      const listed = await listAll(store);
      const expected = [...sizes.keys()].sort(compareKeys);
      expect(listed.map((o) => o.key)).toEqual(expected);
      for (const o of listed) {
        expect(o.size).toBe(sizes.get(o.key));
        expect(o.modified).toBeInstanceOf(Date);
      }
      expect((await listAll(store, '')).map((o) => o.key)).toEqual(expected);
    });

    it('lists only keys that start with the prefix', async () => {
      for (const key of orderingKeys) await putBytes(key, randomBytes(3));
      for (const prefix of ['a', 'a/', 'a/b', 'a/b/', 'a/b/d/e', 'a.', 'a-b/', 'b', 'zzz', 'nope/']) {
        const expected = orderingKeys.filter((key) => key.startsWith(prefix)).sort(compareKeys);
        expect(
          (await listAll(store, prefix)).map((o) => o.key),
          `prefix ${prefix}`,
        ).toEqual(expected);
      }
    });

    it('lists nothing in an empty store', async () => {
      expect(await listAll(store)).toEqual([]);
      expect(await listAll(store, 'a/')).toEqual([]);
    });

    it('overwrites an object whole', async () => {
      const first = randomBytes(300_000);
      const second = randomBytes(1000);
      await putBytes('c/n/obj', first);
      await putBytes('c/n/obj', second);
      expect((await readAll(await store.get('c/n/obj'))).equals(second)).toBe(true);
      expect((await store.stat('c/n/obj'))?.size).toBe(second.length);
      expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/obj']);
    });

    it('deletes, idempotently', async () => {
      await putBytes('c/n/a', randomBytes(10));
      await putBytes('c/n/b', randomBytes(10));
      if (deletesLocked) {
        const refusal = await store.delete('c/n/a').then(
          () => expect.fail('deleting a locked object must be refused'),
          (e: unknown) => e,
        );
        expect(isLifeboatError(refusal, 'store'), String(refusal)).toBe(true);
        expect((refusal as Error).message).toMatch(/c\/n\/a .*locked until \d{4}-\d\d-\d\dT/);
        expect((await store.stat('c/n/a'))?.size).toBe(10);
        await store.delete('never/was');
        expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/a', 'c/n/b']);
        return;
      }
      await store.delete('c/n/a');
      expect(await store.stat('c/n/a')).toBeUndefined();
      expect(await rejectionCode(store.get('c/n/a'))).toBe('not-found');
      expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/b']);
      await store.delete('c/n/a');
      await store.delete('never/was');
      expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/b']);
    });

    it('rejects get of a missing key with not-found', async () => {
      expect(await rejectionCode(store.get('c/n/missing'))).toBe('not-found');
      await putBytes('c/n/obj', randomBytes(10));
      expect(await rejectionCode(store.get('c/n'))).toBe('not-found');
      expect(await rejectionCode(store.get('c/n/obj/deeper'))).toBe('not-found');
    });

    it('leaves nothing when the body fails midway, and keeps the old object', async () => {
      const old = randomBytes(5000);
      await putBytes('keep', old);
      const boom = new Error('body broke');
      const { chunks } = randomData(3 * MiB);
      await expect(store.put('c/n/obj', failsAfter(chunks, boom))).rejects.toBe(boom);
      await expect(store.put('keep', failsAfter(chunks, boom))).rejects.toBe(boom);
      expect(await store.stat('c/n/obj')).toBeUndefined();
      expect((await listAll(store)).map((o) => o.key)).toEqual(['keep']);
      expect((await readAll(await store.get('keep'))).equals(old)).toBe(true);
    });

    it('leaves nothing when a Readable body is destroyed midway', async () => {
      const boom = new Error('socket reset');
      const { chunks } = randomData(2 * MiB);
      const body = Readable.from(failsAfter(chunks, boom));
      await expect(store.put('c/n/obj', body)).rejects.toBe(boom);
      expect(await listAll(store)).toEqual([]);
    });

    it('leaves nothing when aborted while the body stalls, and keeps the old object', async () => {
      const old = randomBytes(5000);
      await putBytes('keep', old);
      for (const key of ['c/n/obj', 'keep']) {
        const controller = new AbortController();
        const { chunks } = randomData(2 * MiB);
        const body = stallsAfter(chunks, () => controller.abort());
        expect(await rejectionCode(store.put(key, body, { signal: controller.signal }))).toBe('aborted');
      }
      expect((await listAll(store)).map((o) => o.key)).toEqual(['keep']);
      expect((await readAll(await store.get('keep'))).equals(old)).toBe(true);
    });

    it('leaves nothing when aborted while the body flows', async () => {
      const controller = new AbortController();
      let sent = 0;
      async function* endless() {
        for (;;) {
          sent += 64 * 1024;
          if (sent > 2 * MiB) controller.abort(new Error('operator cancelled'));
          yield randomBytes(64 * 1024);
        }
      }
      expect(await rejectionCode(store.put('c/n/obj', endless(), { signal: controller.signal }))).toBe(
        'aborted',
      );
      expect(await listAll(store)).toEqual([]);
    });

    it('does not start a put with an already aborted signal', async () => {
      const controller = new AbortController();
      controller.abort();
      const body = Readable.from([randomBytes(100)]);
      expect(await rejectionCode(store.put('c/n/obj', body, { signal: controller.signal }))).toBe('aborted');
      expect(await listAll(store)).toEqual([]);
    });

    it('stops a body it gives up on, so the producer never hangs', async () => {
      const readable = () => Readable.from(randomData(MiB, 16 * 1024).chunks);
      const badKey = readable();
      expect(await rejectionCode(store.put('../x', badKey))).toBe('usage');
      expect(badKey.destroyed).toBe(true);

      const early = new AbortController();
      early.abort();
      const notStarted = readable();
      expect(await rejectionCode(store.put('a', notStarted, { signal: early.signal }))).toBe('aborted');
      expect(notStarted.destroyed).toBe(true);

      const controller = new AbortController();
      let reads = 0;
      const flowing = new Readable({
        read() {
          if (++reads === 8) controller.abort();
          setImmediate(() => this.push(randomBytes(64 * 1024)));
        },
      });
      expect(await rejectionCode(store.put('b', flowing, { signal: controller.signal }))).toBe('aborted');
      expect(flowing.destroyed).toBe(true);

      async function* generator() {
        yield randomBytes(10);
      }
      const neverRun = generator();
      expect(await rejectionCode(store.put('a//b', neverRun))).toBe('usage');
      expect(await neverRun.next()).toEqual({ done: true, value: undefined });
      expect(await listAll(store)).toEqual([]);
    });

    it('refuses a body whose length differs from the declared size', async () => {
      const data = randomBytes(10_000);
      for (const size of [data.length - 1, data.length + 1]) {
        expect(await rejectionCode(store.put('c/n/obj', Readable.from([data]), { size }))).toBe('integrity');
      }
      expect(await listAll(store)).toEqual([]);
    });

    it('aborts a get, before or while reading', async () => {
      const data = randomBytes(4 * MiB);
      await putBytes('obj', data);
      const early = new AbortController();
      early.abort();
      expect(await rejectionCode(store.get('obj', { signal: early.signal }))).toBe('aborted');

      const controller = new AbortController();
      const stream = await store.get('obj', { signal: controller.signal });
      let read = 0;
      await expect(
        (async () => {
          for await (const chunk of stream) {
            read += (chunk as Uint8Array).byteLength;
            controller.abort();
          }
        })(),
      ).rejects.toThrow();
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(data.length);
    });

    it('rejects bad keys with usage errors, without writing', async () => {
      await putBytes('a/b', randomBytes(10));
      for (const key of badKeys) {
        expect(await rejectionCode(store.put(key, Readable.from([randomBytes(10)]))), key).toBe('usage');
        expect(await rejectionCode(store.get(key)), key).toBe('usage');
        expect(await rejectionCode(store.stat(key)), key).toBe('usage');
        expect(await rejectionCode(store.delete(key)), key).toBe('usage');
      }
      for (const prefix of badPrefixes) {
        expect(await rejectionCode(listAll(store, prefix)), prefix).toBe('usage');
      }
      expect((await listAll(store)).map((o) => o.key)).toEqual(['a/b']);
    });
  });
}
