import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import {
  type BackupStore,
  LocalStore,
  markTransient,
  type ObjectInfo,
  type Progress,
  ProgressStore,
  type RetryInfo,
  RetryStore,
} from '../src/index.ts';
import { describeStoreConformance, listAll, readAll, rejectionCode } from './conformance.ts';

// Wrapped stores must keep every promise of the interface.
describeStoreConformance('retry(progress(local folder))', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-wrapped-'));
  const reports: Progress[] = [];
  return {
    store: new RetryStore(new ProgressStore(new LocalStore(join(dir, 'store')), (p) => reports.push(p)), {
      baseDelayMs: 1,
    }),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

// A store whose calls fail with the given errors first, then answer.
function flaky(
  failures: unknown[],
  objects: ObjectInfo[] = [],
): BackupStore & { calls: string[]; fail: unknown[] } {
  const calls: string[] = [];
  const next = (name: string) => {
    calls.push(name);
    const failure = failures.shift();
    if (failure) throw failure;
  };
  return {
    location: 'flaky://',
    calls,
    fail: failures,
    async put(key, body) {
      next('put');
      for await (const _ of body) {
      }
      return { size: 0, sha256: '', key };
    },
    async get() {
      next('get');
      return Readable.from([Buffer.from('data')]);
    },
    async stat() {
      next('stat');
      return { size: 4, modified: new Date(0) };
    },
    async delete() {
      next('delete');
    },
    async *list() {
      calls.push('list');
      for (const [i, object] of objects.entries()) {
        // The listing breaks after two objects, once per queued failure.
        if (i === 2 && failures.length) throw failures.shift();
        yield object;
      }
    },
  };
}

describe('RetryStore', () => {
  it('retries transient failures of get, stat and delete with growing delays, reporting each', async () => {
    const retries: RetryInfo[] = [];
    const inner = flaky([]);
    const store = new RetryStore(inner, { baseDelayMs: 10, onRetry: (info) => retries.push(info) });
    // Each call fails n times before it answers.
    const failing = (n: number) => {
      for (let i = 0; i < n; i++) inner.fail.push(reset());
    };
    failing(2);
    expect((await readAll(await store.get('k'))).toString()).toBe('data');
    failing(2);
    expect(await store.stat('k')).toEqual({ size: 4, modified: new Date(0) });
    failing(1);
    await store.delete('k');
    expect(inner.calls).toEqual(['get', 'get', 'get', 'stat', 'stat', 'stat', 'delete', 'delete']);
    expect(retries.map((r) => [r.operation, r.attempt])).toEqual([
      ['get', 1],
      ['get', 2],
      ['stat', 1],
      ['stat', 2],
      ['delete', 1],
    ]);
    // Doubling with jitter: each delay lies in [ceiling/2, ceiling].
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(5);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(10);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(10);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(20);
  });

  it('gives up after the configured retries with the last error', async () => {
    const errors = [reset(), reset(), reset()];
    const last = errors[2];
    const store = new RetryStore(flaky(errors), { retries: 2, baseDelayMs: 1 });
    await expect(store.stat('k')).rejects.toBe(last);
  });

  it('does not retry permanent failures', async () => {
    for (const err of [
      new LifeboatError('not-found', 'gone'),
      new LifeboatError('store', 'credentials rejected', { cause: { name: 'SignatureDoesNotMatch' } }),
      new LifeboatError('store', 'object is locked until …'),
      new Error('plain bug'),
    ]) {
      const inner = flaky([err]);
      await expect(new RetryStore(inner, { baseDelayMs: 1 }).delete('k')).rejects.toBe(err);
      expect(inner.calls).toEqual(['delete']);
    }
  });

  it('retries what a backend marked transient (a restic lock)', async () => {
    const locked = markTransient(new LifeboatError('store', 'restic repository is locked'));
    const inner = flaky([locked]);
    await new RetryStore(inner, { baseDelayMs: 1 }).delete('k');
    expect(inner.calls).toEqual(['delete', 'delete']);
  });

  it('never retries a put: the body cannot be replayed', async () => {
    const inner = flaky([reset()]);
    await expect(new RetryStore(inner, { baseDelayMs: 1 }).put('k', Readable.from([]))).rejects.toMatchObject(
      {
        code: 'ECONNRESET',
      },
    );
    expect(inner.calls).toEqual(['put']);
  });

  it('resumes a listing after the last key it yielded', async () => {
    const objects = ['a', 'b', 'c', 'd'].map((key) => ({ key, size: 1, modified: new Date(0) }));
    const inner = flaky([reset()], objects);
    const listed = await listAll(new RetryStore(inner, { baseDelayMs: 1 }));
    expect(listed.map((o) => o.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(inner.calls).toEqual(['list', 'list']);
  });

  it('stops waiting when the get is aborted', async () => {
    const controller = new AbortController();
    const inner = flaky([reset(), reset()]);
    const store = new RetryStore(inner, {
      baseDelayMs: 60_000,
      onRetry: () => setTimeout(() => controller.abort(), 10),
    });
    const started = Date.now();
    expect(await rejectionCode(store.get('k', { signal: controller.signal }))).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('ProgressStore', () => {
  it('reports bytes, total and rate of a put, and done once at the end', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-progress-'));
    try {
      const reports: Progress[] = [];
      const store = new ProgressStore(new LocalStore(dir), (p) => reports.push(p), { intervalMs: 0 });
      const chunks = [randomBytes(1000), randomBytes(2000), randomBytes(3000)];
      await store.put('c/n/x', Readable.from(chunks), { size: 6000 });
      expect(reports.map((r) => r.bytes)).toEqual([0, 1000, 3000, 6000, 6000]);
      expect(reports.map((r) => r.done)).toEqual([false, false, false, false, true]);
      for (const r of reports) expect(r).toMatchObject({ operation: 'put', key: 'c/n/x', total: 6000 });
      expect(reports.at(-1)!.bytesPerSecond).toBeGreaterThanOrEqual(0);

      reports.length = 0;
      const back = await readAll(await store.get('c/n/x'));
      expect(back.equals(Buffer.concat(chunks))).toBe(true);
      expect(reports.at(-1)).toMatchObject({ operation: 'get', bytes: 6000, done: true });
      expect(reports.at(-1)).not.toHaveProperty('total');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('throttles reports to the interval', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-progress-'));
    try {
      const reports: Progress[] = [];
      const store = new ProgressStore(new LocalStore(dir), (p) => reports.push(p), { intervalMs: 60_000 });
      await store.put('x', Readable.from(Array.from({ length: 100 }, () => randomBytes(100))));
      expect(reports.map((r) => [r.bytes, r.done])).toEqual([
        [0, false],
        [10_000, true],
      ]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('passes get errors through and ends the report', async () => {
    const reports: Progress[] = [];
    const boom = new Error('dump failed');
    const inner = flaky([]);
    inner.get = async () =>
      Readable.from(
        (async function* () {
          yield Buffer.from('part');
          throw boom;
        })(),
      );
    const stream = await new ProgressStore(inner, (p) => reports.push(p), { intervalMs: 0 }).get('k');
    await expect(readAll(stream)).rejects.toBe(boom);
    expect(reports.at(-1)).toMatchObject({ bytes: 4, done: true });
  });
});
