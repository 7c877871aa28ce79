// EtcdClient and SnapshotStream against an in-process fake etcd: what a
// consumer sees for a good snapshot, and that every way a snapshot can go
// wrong ends in an error instead of a clean end.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server as NetServer } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { status as grpcStatus } from '@grpc/grpc-js';
import { isLifeboatError } from '@lifeboat/core';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdClient, type EtcdClientOptions } from '../src/grpc/client.ts';
import type { SnapshotStream } from '../src/grpc/snapshot-stream.ts';
import { type FakeEtcd, type FakeEtcdBehaviour, startFakeEtcd } from './grpc-fake-etcd.ts';

const db = randomBytes(300 * 1024 + 123);
const digest = createHash('sha256').update(db).digest();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(behaviour: FakeEtcdBehaviour = {}): Promise<FakeEtcd> {
  const f = await startFakeEtcd({ db, ...behaviour });
  cleanups.push(() => f.stop());
  return f;
}

function client(options: EtcdClientOptions): EtcdClient {
  const c = new EtcdClient(options);
  cleanups.push(() => c.close());
  return c;
}

/** Reads a stream to the end; returns the bytes, or the error it ended with. */
async function drain(stream: SnapshotStream, delayMs = 0): Promise<{ bytes: Buffer; error?: unknown }> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      if (delayMs) setTimeout(cb, delayMs);
      else cb();
    },
  });
  try {
    await pipeline(stream, sink);
    return { bytes: Buffer.concat(parts) };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

/** A port where nothing listens. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('a good snapshot', () => {
  it('yields db + sha256 trailer, with sizes, digest and the Status from before', async () => {
    const etcd = await fake({ storageVersion: '3.6.0' });
    const c = client({ endpoints: [etcd.endpoint] });
    const stream = await c.snapshot();
    expect(stream.dbSize).toBe(db.length);
    expect(stream.totalSize).toBe(db.length + 32);
    expect(stream.sha256).toBeUndefined(); // not before the end
    expect(stream.storageVersion).toBe('3.6.0');
    expect(stream.status).toMatchObject({
      endpoint: etcd.endpoint,
      version: '3.6.99',
      memberId: '8e9e05c52164694d',
      clusterId: 'cdef0123456789ab',
      leader: '8e9e05c52164694d',
      revision: 42,
      dbSize: db.length,
      storageVersion: '3.6.0',
    });
    const { bytes, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat([db, digest]))).toBe(true);
    expect(stream.sha256).toBe(digest.toString('hex'));
    expect(c.endpoint).toBe(etcd.endpoint);
  });

  it('respects backpressure: a slow consumer pauses etcd and the idle clock', async () => {
    const big = randomBytes(16 * 1024 * 1024);
    const etcd = await fake({ db: big });
    const c = client({ endpoints: [etcd.endpoint], idleTimeoutMs: 200 });
    const stream = await c.snapshot();
    // Nobody reads for longer than the idle timeout: no failure, and etcd is held back
    // once the buffers along the way (ours, grpc-js's, HTTP/2's window) are full.
    await new Promise((r) => setTimeout(r, 500));
    expect(stream.errored).toBeNull();
    expect(etcd.sentChunks() * 32 * 1024).toBeLessThan(6 * 1024 * 1024);
    const { bytes, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(bytes.length).toBe(big.length + 32);
    expect(stream.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('also works when the db is a whole number of chunks', async () => {
    const exact = randomBytes(64 * 1024);
    const etcd = await fake({ db: exact });
    const stream = await client({ endpoints: [etcd.endpoint] }).snapshot();
    const { bytes, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat([exact, createHash('sha256').update(exact).digest()]))).toBe(true);
  });
});

describe('a damaged snapshot never ends cleanly', () => {
  const cases: [string, FakeEtcdBehaviour, string, RegExp][] = [
    [
      'a wrong checksum',
      { checksum: (d) => Buffer.from(d.map((b) => b ^ 1)) },
      'integrity',
      /sha256 mismatch/,
    ],
    [
      'a short checksum',
      { checksum: (d) => d.subarray(0, 16) },
      'integrity',
      /16 bytes, not a 32-byte sha256/,
    ],
    [
      'a stream that stops early',
      { endAfterChunks: 3 },
      'integrity',
      /ended the snapshot after 98304 of 307323 bytes/,
    ],
    [
      'a server error halfway',
      {
        failAfterChunks: {
          chunks: 2,
          code: grpcStatus.INTERNAL,
          details: 'etcdserver: mvcc: database space exceeded',
        },
      },
      'etcd',
      /failed the snapshot after 64\.0 KiB of 300\.1 KiB: etcdserver: mvcc: database space exceeded/,
    ],
    ['data after the checksum', { extra: true }, 'integrity', /more data after the checksum/],
  ];

  it.each(cases)('%s', async (_name, behaviour, code, message) => {
    const etcd = await fake(behaviour);
    const stream = await client({ endpoints: [etcd.endpoint] }).snapshot();
    const { error, bytes } = await drain(stream);
    expect(isLifeboatError(error, code as never)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(stream.sha256).toBeUndefined();
    expect(bytes.length).toBeLessThanOrEqual(db.length + 32);
  });

  it('fails when etcd goes silent for the idle timeout', async () => {
    const etcd = await fake({ stall: { afterChunks: 2, ms: 2000 } });
    const stream = await client({ endpoints: [etcd.endpoint], idleTimeoutMs: 300 }).snapshot();
    const started = Date.now();
    const { error } = await drain(stream);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(isLifeboatError(error, 'etcd')).toBe(true);
    expect((error as Error).message).toMatch(
      /sent nothing for 0\.3s during the snapshot \(after 0\.1 MiB of 0\.3 MiB\)/,
    );
  });

  it('stops on an AbortSignal with code "aborted"', async () => {
    const etcd = await fake({ stall: { afterChunks: 1, ms: 1000 } });
    const controller = new AbortController();
    const stream = await client({ endpoints: [etcd.endpoint], signal: controller.signal }).snapshot();
    setTimeout(() => controller.abort(), 50);
    const { error } = await drain(stream);
    expect(isLifeboatError(error, 'aborted')).toBe(true);
  });

  it('refuses to start when already aborted', async () => {
    const etcd = await fake();
    const c = client({ endpoints: [etcd.endpoint], signal: AbortSignal.abort() });
    await expect(c.snapshot()).rejects.toSatisfy((e) => isLifeboatError(e, 'aborted'));
  });
});

describe('endpoints and failover', () => {
  it('moves to the next endpoint when the first refuses connections', async () => {
    const etcd = await fake();
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const c = client({ endpoints: [`${dead},${etcd.endpoint}`] });
    const stream = await c.snapshot();
    expect(stream.endpoint).toBe(etcd.endpoint);
    expect((await drain(stream)).error).toBeUndefined();
  });

  it('names the endpoint when none works, the most telling failure first', async () => {
    const port = await deadPort();
    const c = client({ endpoints: [`127.0.0.1:${port}`] });
    await expect(c.status()).rejects.toThrow(
      `cannot connect to etcd at http://127.0.0.1:${port}: connection refused; check --endpoints and that etcd is running`,
    );
    const two = client({ endpoints: [`http://127.0.0.1:${port}`, 'http://nonexistent.invalid:2379'] });
    await expect(two.status()).rejects.toThrow(
      /cannot resolve the host of http:\/\/nonexistent\.invalid:2379.*no other endpoint worked either: http:\/\/127\.0\.0\.1:\d+: refused/,
    );
  });

  it('gives up after the dial timeout on a member that accepts but never answers', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: NetServer = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    const port = (silent.address() as { port: number }).port;
    const c = client({ endpoints: [`http://127.0.0.1:${port}`], dialTimeoutMs: 300 });
    const started = Date.now();
    await expect(c.status()).rejects.toThrow(
      `etcd at http://127.0.0.1:${port} did not answer within 0.3s (--dial-timeout)`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('user and password', () => {
  const auth = { user: 'root', password: 's3cret' };

  it('authenticates first and sends the token with every call', async () => {
    const etcd = await fake({ auth });
    const stream = await client({ endpoints: [etcd.endpoint], ...auth }).snapshot();
    expect((await drain(stream)).error).toBeUndefined();
    expect(etcd.tokens.length).toBeGreaterThanOrEqual(2);
    expect(etcd.tokens.every((t) => t === 'token-for-tests.1')).toBe(true);
  });

  it('says the password is wrong, and does not try other endpoints for it', async () => {
    const etcd = await fake({ auth });
    const other = await fake({ auth });
    const c = client({ endpoints: [etcd.endpoint, other.endpoint], user: 'root', password: 'nope' });
    await expect(c.snapshot()).rejects.toThrow(
      `etcd at ${etcd.endpoint} rejected the user "root": wrong user name or password; check --user and --password-file`,
    );
    expect(other.tokens).toEqual([]);
  });

  it('says auth is enabled when no user was given', async () => {
    const etcd = await fake({ auth });
    await expect(client({ endpoints: [etcd.endpoint] }).status()).rejects.toThrow(
      /has authentication enabled and refused the request \(etcdserver: user name is empty\); pass --user and --password-file/,
    );
  });

  it('ignores credentials when etcd has auth disabled, as etcdctl does', async () => {
    const etcd = await fake();
    const status = await client({ endpoints: [etcd.endpoint], ...auth }).status();
    expect(status.version).toBe('3.6.99');
  });
});
