// The restic backend against real repositories, with the current restic and
// Debian's 0.14: the one conformance suite, then what only restic has — host
// and tags on snapshots, listing from metadata alone, overwrite and delete as
// forget, locks, wrong passwords, a missing repository or binary, a damaged
// pack — each with both versions.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isLifeboatError, LifeboatError, parseStoreUrl } from '@lifeboat/core';
import { isTransient, openStore, type ResticOptions, ResticStore } from '@lifeboat/stores';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  describeStoreConformance,
  listAll,
  randomData,
  readAll,
  rejectionCode,
} from '../../packages/stores/test/conformance.ts';
import { createResticRepo, type ResticFlavor, type ResticRepo, resticFlavors } from '../infra/index.ts';

const MiB = 1024 * 1024;

function storeFor(repo: ResticRepo, extra: Partial<ResticOptions> = {}): ResticStore {
  return new ResticStore({
    repository: repo.repository,
    password: repo.password,
    binary: repo.binary,
    env: { RESTIC_CACHE_DIR: repo.env['RESTIC_CACHE_DIR'] },
    ...extra,
  });
}

interface Snapshot {
  id: string;
  hostname: string;
  tags?: string[];
  paths: string[];
}
const snapshots = async (repo: ResticRepo) =>
  JSON.parse(await repo.restic(['snapshots', '--json'])) as Snapshot[];

async function failure(promise: Promise<unknown>): Promise<LifeboatError> {
  const err = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LifeboatError);
  return err as LifeboatError;
}

// Starts restic holding a lock on repo until stopped: `backup --stdin` holds a
// shared lock while its stdin stays open, `key passwd` an exclusive one while
// it waits for the new password.
async function holdLock(repo: ResticRepo, args: string[]): Promise<ChildProcess> {
  const child = spawn(repo.binary, args, {
    env: { ...process.env, ...repo.env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin!.on('error', () => {});
  for (let i = 0; i < 200; i++) {
    const locks = await readdir(join(repo.repository, 'locks')).catch(() => []);
    if (locks.length) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`restic ${args[0]} took no lock`);
}

// SIGINT, then the end of stdin: restic ≥ 0.17 stays in its read of stdin until it ends.
async function release(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.stdin!.end();
  await exited;
}

for (const flavor of resticFlavors) {
  describeStoreConformance(`restic (${flavor})`, async () => {
    const repo = await createResticRepo(flavor);
    return { store: storeFor(repo), cleanup: () => repo.remove() };
  });
}

describe.each(resticFlavors)('ResticStore with restic %s', (flavor: ResticFlavor) => {
  let repo: ResticRepo;
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lifeboat-restic-e2e-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));
  beforeEach(async () => {
    repo = await createResticRepo(flavor);
  });
  afterEach(() => repo.remove());

  // restic behind a script that logs each subcommand, to see which calls an operation makes.
  async function loggedStore(): Promise<{ store: ResticStore; calls: () => Promise<string[]> }> {
    const log = join(scratch, `calls-${randomBytes(4).toString('hex')}`);
    const script = join(scratch, `restic-${randomBytes(4).toString('hex')}`);
    await writeFile(script, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${repo.binary}' "$@"\n`);
    await chmod(script, 0o755);
    return {
      store: storeFor(repo, { binary: script }),
      calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
    };
  }

  it('makes one snapshot per object: the key as its path, node as host, cluster/node/id as tags', async () => {
    const store = storeFor(repo);
    const key = 'backups/prod/cp-1/20261121T143000Z.json';
    const data = randomBytes(5000);
    await store.put(key, Readable.from([data]));
    await store.put('misc/a,b%c', Readable.from([randomBytes(10)]));
    const [backup, other] = await snapshots(repo);
    expect(backup?.paths).toEqual([`/${key}`]);
    expect(backup?.hostname).toBe('cp-1');
    expect(backup?.tags).toEqual([
      'lifeboat',
      `key=${key}`,
      'cluster=prod',
      'node=cp-1',
      'id=20261121T143000Z',
      'kind=metadata',
    ]);
    // restic splits tags at commas: the key tag escapes them.
    expect(other?.tags).toEqual(['lifeboat', 'key=misc/a%2Cb%25c']);
    // What an auditor with restic alone gets back.
    const dumped = await new Promise<Buffer>((resolve, reject) => {
      const child = spawn(repo.binary, ['dump', backup!.id, `/${key}`], {
        env: { ...process.env, ...repo.env },
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(chunks)));
    });
    expect(dumped.equals(data)).toBe(true);
  });

  it('lists from snapshot metadata alone, in one restic call where the version allows', async () => {
    const { store, calls } = await loggedStore();
    const sizes = { 'c/n/a': 1234, 'c/n/b': 0, 'c/n/c': 2 * MiB + 7 };
    for (const [key, size] of Object.entries(sizes)) await store.put(key, Readable.from([randomBytes(size)]));
    const before = (await calls()).length;
    const listed = await listAll(store);
    expect(listed.map((o) => [o.key, o.size])).toEqual(Object.entries(sizes));
    const made = (await calls()).slice(before);
    // restic ≥ 0.17 keeps sizes in the snapshot summary; 0.14 needs one `find` over the trees.
    expect(made).toEqual(flavor === 'current' ? ['snapshots'] : ['snapshots', 'find']);
    expect(made).not.toContain('dump');
  });

  it('overwrites by a new snapshot, then forgets the old one', async () => {
    const { store, calls } = await loggedStore();
    await store.put('c/n/obj', Readable.from([randomBytes(3000)]));
    const first = await snapshots(repo);
    const second = randomBytes(1000);
    await store.put('c/n/obj', Readable.from([second]));
    const after = await snapshots(repo);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(first[0]!.id);
    expect((await readAll(await store.get('c/n/obj'))).equals(second)).toBe(true);
    expect(await calls()).toContain('forget');
  });

  it('deletes every snapshot of a key with one forget', async () => {
    const { store, calls } = await loggedStore();
    // Two snapshots of one key, as an overwrite interrupted before its forget leaves them.
    for (const n of [1, 2]) {
      await repo.restic(
        ['backup', '--stdin', '--stdin-filename', 'c/n/obj', '--tag', 'lifeboat', '--json', '--quiet'],
        `version ${n}`,
      );
    }
    await store.put('c/n/other', Readable.from([randomBytes(10)]));
    expect((await readAll(await store.get('c/n/obj'))).toString()).toBe('version 2');
    const before = (await calls()).length;
    await store.delete('c/n/obj');
    expect((await calls()).slice(before)).toEqual(['snapshots', 'forget']);
    expect((await snapshots(repo)).map((s) => s.paths[0])).toEqual(['/c/n/other']);
  });

  it('says the repository is locked while another restic holds a lock, and the lock is transient', async () => {
    const store = storeFor(repo);
    await store.put('c/n/obj', Readable.from([randomBytes(100)]));
    // A backup still reading its stdin: forgetting (exclusive) must wait for it.
    const backup = await holdLock(repo, ['backup', '--stdin', '--stdin-filename', 'x']);
    try {
      const err = await failure(store.delete('c/n/obj'));
      expect(err.code).toBe('store');
      expect(err.message).toMatch(
        new RegExp(
          `^restic repository ${repo.repository} is locked by PID ${backup.pid} on .*; wait for that restic to finish, or run "restic unlock" if it is gone$`,
        ),
      );
      expect(isTransient(err)).toBe(true);
    } finally {
      await release(backup);
    }
    // An exclusive lock (`key passwd` waiting for input) blocks puts too.
    const passwd = await holdLock(repo, ['key', 'passwd']);
    try {
      const err = await failure(store.put('c/n/new', Readable.from([randomBytes(100)])));
      expect(err.message).toMatch(/^restic repository .* is locked by PID \d+ .*since /);
      expect(isTransient(err)).toBe(true);
      // Listing reads snapshot files only, and needs no lock.
      expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/obj']);
    } finally {
      await release(passwd);
    }
    await store.delete('c/n/obj');
    expect(await listAll(store)).toEqual([]);
  });

  it('says the password is wrong, without showing it', async () => {
    await storeFor(repo).put('c/n/obj', Readable.from([randomBytes(100)]));
    const wrong = 'definitely-not-the-password';
    const store = storeFor(repo, { password: wrong });
    for (const attempt of [
      () => store.put('c/n/x', Readable.from([randomBytes(100)])),
      () => listAll(store),
      () => store.get('c/n/obj'),
      () => store.stat('c/n/obj'),
      () => store.delete('c/n/obj'),
    ]) {
      const err = await failure(attempt());
      expect(err.code).toBe('store');
      expect(err.message).toBe(
        `wrong password for restic repository ${repo.repository}: check RESTIC_PASSWORD or RESTIC_PASSWORD_FILE`,
      );
      expect(JSON.stringify([err.message, String(err.cause)])).not.toContain(wrong);
      expect(isTransient(err)).toBe(false);
    }
    expect((await snapshots(repo)).length).toBe(1);
  });

  it('says the repository does not exist, and that restic is missing', async () => {
    const missing = join(scratch, 'no-repo');
    const err = await failure(listAll(storeFor(repo, { repository: missing })));
    expect(err.message).toBe(`restic repository ${missing} does not exist; create it with "restic init"`);
    const put = await failure(
      storeFor(repo, { repository: missing }).put('k', Readable.from([randomBytes(10)])),
    );
    expect(put.message).toBe(err.message);

    const absentStore = storeFor(repo, { binary: join(scratch, 'no-restic-here') });
    for (const attempt of [
      () => listAll(absentStore),
      () => absentStore.put('c/n/obj', Readable.from([randomBytes(64 * 1024)])),
      () => absentStore.get('c/n/obj'),
      () => absentStore.delete('c/n/obj'),
    ]) {
      const absent = await failure(attempt());
      expect(absent.message).toMatch(/^cannot run restic: ".*no-restic-here" was not found on PATH/);
    }
  });

  it.each(['aborted', 'failing'])(
    'interrupts restic when a put is %s mid-stream: no snapshot, no stale lock',
    async (how) => {
      const { store, calls } = await loggedStore();
      await store.put('keep', Readable.from([randomBytes(100)]));
      const controller = new AbortController();
      const boom = new Error('etcd went away');
      async function* body() {
        for (let i = 0; ; i++) {
          if (i === 40) {
            if (how === 'failing') throw boom;
            controller.abort();
          }
          yield randomBytes(64 * 1024);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      const put = store.put('c/n/obj', body(), { signal: controller.signal });
      if (how === 'failing') await expect(put).rejects.toBe(boom);
      else expect(await rejectionCode(put)).toBe('aborted');
      // restic saved nothing, so nothing had to be taken back with forget.
      // (Each put looks up the key's snapshots alongside its backup, in either order.)
      expect((await calls()).sort()).toEqual(['backup', 'backup', 'snapshots', 'snapshots']);
      expect(await readdir(join(repo.repository, 'locks'))).toEqual([]);
      // forget --prune takes an exclusive lock: it works only if the interrupted backup left none.
      await store.delete('keep');
      expect(await snapshots(repo)).toEqual([]);
    },
  );

  it('fails a get whose dump breaks half-way instead of ending the stream early', async () => {
    const store = storeFor(repo);
    const { data, chunks } = randomData(12 * MiB);
    await store.put('c/n/big', Readable.from(chunks));
    // Damage the largest pack (the data), past its start, so restic fails mid-dump.
    const packs: { path: string; size: number }[] = [];
    for (const entry of await readdir(join(repo.repository, 'data'), { recursive: true })) {
      const path = join(repo.repository, 'data', entry);
      const info = await stat(path);
      if (info.isFile()) packs.push({ path, size: info.size });
    }
    const largest = packs.sort((a, b) => b.size - a.size)[0]!;
    await chmod(largest.path, 0o600);
    const file = await open(largest.path, 'r+');
    await file.write(randomBytes(4096), 0, 4096, Math.floor(largest.size / 2));
    await file.close();

    const stream = await store.get('c/n/big');
    let read = 0;
    const err = await (async () => {
      for await (const chunk of stream) read += (chunk as Buffer).length;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(read).toBeLessThan(data.length);
    expect(isLifeboatError(err, 'store'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /^restic dump on .* exited \d+: .*(ciphertext verification failed|pack .* contains|mismatch)/,
    );
  });

  it('opens from a restic: URL with the password from an env record', async () => {
    const store = openStore(parseStoreUrl(`restic:${repo.repository}`), {
      env: { RESTIC_PASSWORD: repo.password, RESTIC_CACHE_DIR: repo.env['RESTIC_CACHE_DIR'] },
      restic: { binary: repo.binary },
    });
    expect(store).toBeInstanceOf(ResticStore);
    expect(store.location).toBe(`restic:${repo.repository}`);
    const data = randomBytes(2000);
    await store.put('c/n/obj', Readable.from([data]));
    expect((await readAll(await store.get('c/n/obj'))).equals(data)).toBe(true);
    expect(await store.stat('c/n/obj')).toEqual({ size: data.length, modified: expect.any(Date) });
  });
});
