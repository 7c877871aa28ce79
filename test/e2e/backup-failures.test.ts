// Issue 4, failure injection against real servers. Each case breaks a backup
// half-way — etcd killed mid-stream, MinIO killed mid-upload, the restic
// repository locked, the folder store's disk full, SIGTERM to the real
// process — and proves the same four things:
//   1. exit code 1 and exactly one "lifeboat: <reason>" line on stderr, naming the cause;
//   2. no backup that looks complete (list), and nothing partial left behind
//      (no temp file, no multipart upload, no restic snapshot);
//   3. the earlier backups are intact and still verify, decrypted;
//   4. retention never runs after a failure: every failing run has --keep-last 1
//      while two earlier backups exist, and both are still there afterwards.
// Earlier backups come from a small etcd; failing runs stream a ~64 MiB one,
// so there is time to strike in the middle. (g) adds a failed run that shares
// its id (the UTC second) with an earlier backup. (a) kills the big etcd, so it
// runs last; (b) restarts MinIO on its data folder, and later cases use that one.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isLifeboatError } from '@lifeboat/core';
import { loadRecipients, loadSigningKey } from '@lifeboat/pgp';
import { LocalStore } from '@lifeboat/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../packages/agent/src/operations/backup.ts';
import { resolveConnection } from '../../packages/agent/src/operations/snapshot-save.ts';
import {
  createResticRepo,
  type EtcdCluster,
  fillEtcd,
  type Minio,
  type ResticFlavor,
  type ResticRepo,
  type Server,
  startEtcd,
  startMinio,
  startServer,
} from '../infra/index.ts';
import {
  backupObjectKeys,
  type CliResult,
  cliPath,
  expectOneLineError,
  filesBelow,
  type Keys,
  keyFlags,
  lifeboat,
  lifeboatOk,
  listStore,
  MiB,
  makeKeys,
  nextSecond,
  run,
  sleep,
  verifyJson,
  waitFor,
} from './backup-helpers.ts';

let dir: string;
let keys: Keys;
let small: EtcdCluster;
let big: EtcdCluster;
let minio: Minio;
let s3: S3Client;
/** MinIO started again on the same data folder after the kill in (b). */
let restarted: Server | undefined;
const repos: Partial<Record<ResticFlavor, ResticRepo>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-backup-failures-'));
  const smallEtcd = (async () => {
    small = await startEtcd({ version: '3.6' });
    await fillEtcd(small, { targetBytes: 2 * MiB });
  })();
  const bigEtcd = (async () => {
    big = await startEtcd({ version: '3.6' });
    await fillEtcd(big, { targetBytes: 64 * MiB });
  })();
  [keys, minio, repos.current, repos.debian] = await Promise.all([
    makeKeys(join(dir, 'keys')),
    startMinio(),
    createResticRepo('current'),
    createResticRepo('debian'),
    smallEtcd,
    bigEtcd,
  ]);
  s3 = minio.client();
}, 240_000);

afterAll(async () => {
  s3?.destroy();
  await restarted?.stop();
  await Promise.allSettled([
    small?.stop(),
    big?.stop(),
    minio?.stop(),
    repos.current?.remove(),
    repos.debian?.remove(),
  ]);
  await rm(dir, { recursive: true, force: true });
});

interface Store {
  url: string;
  env: Record<string, string>;
}

const fileStore = (name: string): Store => ({ url: `file://${join(dir, name)}`, env: {} });
const s3Store = (prefix: string): Store => ({
  url: `s3://${minio.bucket}/${prefix}?endpoint=${minio.endpoint}&pathStyle=true`,
  env: { ...minio.env },
});
function resticStore(flavor: ResticFlavor): Store {
  const repo = repos[flavor]!;
  return {
    url: `restic:${repo.repository}`,
    env: {
      RESTIC_PASSWORD: repo.password,
      RESTIC_CACHE_DIR: repo.env['RESTIC_CACHE_DIR']!,
      PATH: `${dirname(repo.binary)}:${process.env['PATH']}`,
    },
  };
}

function backupArgs(store: Store, etcd: EtcdCluster, extra: string[] = []): string[] {
  return [
    'backup',
    '--store',
    store.url,
    '--cluster',
    'e2e',
    '--node',
    'cp-1',
    '--kubernetes-dir',
    etcd.members[0]!.tree.dir,
    ...keyFlags(keys),
    ...extra,
  ];
}

/** Two complete backups (from the small etcd) in distinct seconds; returns their ids, oldest first. */
async function seed(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    await nextSecond();
    const r = await lifeboatOk([...backupArgs(store, small), '-o', 'json'], store.env);
    ids.push(JSON.parse(r.out).id);
  }
  const listed = await listStore(store.url, store.env);
  expect(listed.map((b) => [b.id, b.state])).toEqual([
    [ids[1], 'complete'],
    [ids[0], 'complete'],
  ]);
  return ids;
}

/**
 * After a failed run: the store lists exactly the earlier backups, all complete (so
 * retention, had it run with --keep-last 1, would have deleted the older one), and
 * the older one still verifies with a private key. Returns the listing.
 */
async function expectEarlierIntact(store: Store, earlier: string[]) {
  const listed = await listStore(store.url, store.env);
  expect(listed.map((b) => [b.id, b.state])).toEqual([...earlier].reverse().map((id) => [id, 'complete']));
  const { report } = await verifyJson(
    store.url,
    earlier[0]!,
    ['--key', keys.recipients[0]!.key, '--signer-key', keys.signer.pub],
    store.env,
  );
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ok).toBe(true);
  return listed;
}

/** Object keys below prefix in the plain bucket, and the multipart uploads still open there. */
async function bucketState(prefix: string) {
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: `${prefix}/` }));
  // MinIO lists uploads under a Prefix only when it is a whole key: list all, filter here.
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: minio.bucket }));
  return {
    keys: (objects.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort(),
    uploads: (uploads.Uploads ?? []).filter((u) => u.Key?.startsWith(`${prefix}/`)),
  };
}

/** The objects the earlier backups consist of, from their listed metadata. */
async function earlierKeys(store: Store): Promise<string[]> {
  return (await listStore(store.url, store.env)).flatMap((b) => backupObjectKeys(b.metadata!)).sort();
}

interface Upload {
  key: string;
  uploadId: string;
}

/** Waits until a multipart upload under prefix has at least one part stored. */
async function uploadInProgress(prefix: string): Promise<Upload> {
  return waitFor(
    'a multipart upload with a stored part',
    async () => {
      const { uploads } = await bucketState(prefix);
      const upload = uploads[0];
      if (!upload) return undefined;
      const parts = await s3.send(
        new ListPartsCommand({ Bucket: minio.bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      return (parts.Parts ?? []).length > 0 ? { key: upload.Key!, uploadId: upload.UploadId! } : undefined;
    },
    60_000,
    50,
  );
}

/**
 * The upload is gone, parts and all. Asked by key and id: a restarted MinIO leaves
 * uploads from before the restart out of a bucket-wide listing, but still has them.
 */
async function expectUploadGone(upload: Upload): Promise<void> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: minio.bucket, Prefix: upload.key }));
  expect(listed.Uploads ?? []).toEqual([]);
  const parts = await s3
    .send(new ListPartsCommand({ Bucket: minio.bucket, Key: upload.key, UploadId: upload.uploadId }))
    .then(
      (out) => `${(out.Parts ?? []).length} parts still stored`,
      (err: Error) => err.name,
    );
  expect(parts).toBe('NoSuchUpload');
}

/** The first `.partial` temp file of a folder store's put, once it holds bytes. */
async function partialFileGrowing(root: string): Promise<string> {
  return waitFor(
    'a partial payload file',
    async () => {
      const folder = join(root, 'e2e/cp-1');
      const names = await readdir(folder).catch(() => [] as string[]);
      const partial = names.find((n) => n.endsWith('.partial'));
      if (!partial) return undefined;
      const size = (await stat(join(folder, partial)).catch(() => undefined))?.size ?? 0;
      return size > 256 * 1024 ? partial : undefined;
    },
    60_000,
    20,
  );
}

/** MinIO again, on the data folder and port of the one that was killed. */
async function restartMinio(): Promise<Server> {
  const [command, ...args] = minio.server.child.spawnargs;
  return startServer({
    name: 'minio (restarted)',
    command: command!,
    args,
    logFile: minio.server.logFile,
    env: {
      MINIO_ROOT_USER: minio.accessKeyId,
      MINIO_ROOT_PASSWORD: minio.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_REGION: minio.region,
    },
    ready: async () => (await fetch(`${minio.endpoint}/minio/health/live`)).ok,
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  err: string;
}

/** `node cli.ts argv…` as a real process, with only env (plus PATH). */
function spawnCli(argv: string[], env: Record<string, string>): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [cliPath, ...argv], {
    env: { PATH: process.env['PATH']!, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
  });
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, err })),
  );
  return { child, exit };
}

describe('a backup that fails half-way exits 1 with one clear line, leaves nothing complete, keeps earlier backups and runs no retention', () => {
  it('(b) MinIO killed mid-upload: no multipart upload is left once MinIO is back', async () => {
    const store = s3Store('minio-killed');
    const earlier = await seed(store);
    const before = await earlierKeys(store);
    await nextSecond();
    // Uncompressed, 5 MiB parts: ~65 MiB of payload in a dozen parts.
    const running = lifeboat(
      backupArgs(store, big, ['--compression', 'none', '--part-size', '5', '--keep-last', '1']),
      store.env,
    );
    let result: CliResult | undefined;
    void running.then((r) => {
      result = r;
    });
    const upload = await uploadInProgress('minio-killed');
    await minio.server.kill();
    // Long enough for the SDK to give up on the parts in flight; the store then
    // retries aborting the upload until MinIO is back.
    await sleep(3000);
    expect(result, 'the backup must still be trying to abort its upload').toBeUndefined();
    restarted = await restartMinio();
    const r = await running;
    expect(r.code).toBe(1);
    const line = expectOneLineError(
      r.err,
      /^lifeboat: store: .*storing e2e\/cp-1\/\d{8}T\d{6}Z\.tar\.pgp in s3:\/\/lifeboat\/minio-killed/,
    );
    expect(line).toContain('cannot reach');
    expect(r.err).not.toContain('could not be aborted');
    await expectUploadGone(upload);
    expect((await bucketState('minio-killed')).keys).toEqual(before);
    await expectEarlierIntact(store, earlier);
  });

  it.each(['current', 'debian'] as const)(
    '(c) restic %s repository locked by a stale exclusive lock: a clear "locked" error',
    async (flavor) => {
      const repo = repos[flavor]!;
      const store = resticStore(flavor);
      const earlier = await seed(store);
      // A crashed exclusive holder: `restic key passwd` takes the exclusive lock and
      // waits for the new password; SIGKILL leaves its lock file behind, stale.
      const holder = spawn(repo.binary, ['key', 'passwd'], {
        env: { ...process.env, ...repo.env },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      holder.stdin!.on('error', () => {});
      const lockDir = join(repo.repository, 'locks');
      // restic writes a lock as "<id>-tmp-…" and renames it to its id: only the id is a lock.
      const locks = async () => (await readdir(lockDir)).filter((n) => /^[0-9a-f]{64}$/.test(n));
      await waitFor('the exclusive lock', async () => (await locks()).length > 0, 30_000);
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      expect(await locks()).toHaveLength(1);

      await nextSecond();
      const r = await lifeboat(backupArgs(store, small, ['--keep-last', '1']), store.env);
      expect(r.code).toBe(1);
      expectOneLineError(
        r.err,
        new RegExp(
          `^lifeboat: store: restic repository ${repo.repository} is locked by PID ${holder.pid} .*run "restic unlock" if it is gone$`,
        ),
      );
      // The repository holds the two earlier backups' snapshots and nothing of the failed run.
      const snapshots = JSON.parse(await repo.restic(['snapshots', '--no-lock', '--json'])) as {
        paths: string[];
      }[];
      // `lifeboat list` while the lock is still there: the earlier backups are as complete
      // as before (the lock says nothing about them). Soft, so the rest is proven too.
      const whileLocked = await listStore(store.url, store.env);
      expect.soft(whileLocked.map((b) => [b.id, b.state, b.problem])).toEqual([
        [earlier[1], 'complete', undefined],
        [earlier[0], 'complete', undefined],
      ]);
      // What the message says to do, then the earlier backups read back in full.
      await repo.restic(['unlock']);
      expect(await readdir(lockDir)).toEqual([]);
      const listed = await expectEarlierIntact(store, earlier);
      expect(snapshots.map((s) => s.paths[0]!.slice(1)).sort()).toEqual(
        listed.flatMap((b) => backupObjectKeys(b.metadata!)).sort(),
      );
    },
  );

  it('(d) disk full in the folder store: ENOSPC named, no partial object left', async (ctx) => {
    const mountpoint = join(dir, 'tmpfs');
    await mkdir(mountpoint);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountpoint]);
    } catch (err) {
      console.warn(`SKIPPED (d) disk full: cannot mount a tmpfs here: ${(err as Error).message}`);
      ctx.skip();
    }
    try {
      const store: Store = { url: `file://${mountpoint}`, env: {} };
      const earlier = await seed(store);
      const before = (await filesBelow(mountpoint)).sort();
      const free = (await statfs(mountpoint)).bavail;
      await nextSecond();
      // ~10 MiB of zstd payload into what is left of 8 MiB.
      const r = await lifeboat(backupArgs(store, big, ['--keep-last', '1']), store.env);
      expect(r.code).toBe(1);
      expectOneLineError(r.err, /^lifeboat: io: no space left on device writing .*\.tar\.zst\.pgp$/);
      // Not even a hidden temp file: exactly the earlier backups' objects, and the space is back.
      expect((await filesBelow(mountpoint)).sort()).toEqual(before);
      expect((await statfs(mountpoint)).bavail).toBe(free);
      await expectEarlierIntact(store, earlier);
    } finally {
      await run('umount', [mountpoint]);
    }
  });

  it.each(['file', 's3'] as const)(
    '(e) SIGTERM to the real process during the upload to the %s store: cancelled, nothing left',
    async (kind) => {
      const store = kind === 'file' ? fileStore('sigterm') : s3Store('sigterm');
      const earlier = await seed(store);
      const before = kind === 'file' ? (await filesBelow(join(dir, 'sigterm'))).sort() : [];
      await nextSecond();
      const { child, exit } = spawnCli(
        backupArgs(store, big, ['--keep-last', '1', ...(kind === 's3' ? ['--part-size', '5'] : [])]),
        store.env,
      );
      let upload: Upload | undefined;
      try {
        if (kind === 'file') await partialFileGrowing(join(dir, 'sigterm'));
        else upload = await uploadInProgress('sigterm');
      } catch (err) {
        child.kill('SIGKILL');
        throw new Error(`${(err as Error).message}; stderr: ${(await exit).err}`);
      }
      const signalled = Date.now();
      child.kill('SIGTERM');
      const { code, signal, err } = await exit;
      expect(Date.now() - signalled).toBeLessThan(15_000);
      expect({ code, signal }).toEqual({ code: 1, signal: null });
      const line = expectOneLineError(err, /^lifeboat: aborted: /);
      // It says what happened to the backup: cancelled, and nothing written. (Soft, so
      // the checks below run even while the message is a stage's own "… was aborted".)
      expect.soft(line).toBe('lifeboat: aborted: backup cancelled (received SIGTERM); no backup was written');
      if (kind === 'file') {
        expect((await filesBelow(join(dir, 'sigterm'))).sort()).toEqual(before);
      } else {
        await expectUploadGone(upload!);
        const after = await bucketState('sigterm');
        expect(after.uploads).toEqual([]);
        expect(after.keys).toEqual(await earlierKeys(store));
      }
      await expectEarlierIntact(store, earlier);
    },
  );

  it('(g) a run that fails in the same second as an earlier backup leaves that backup intact', async () => {
    // Backup ids are UTC seconds, so a second run in the same second (a manual
    // backup next to the CronJob's, a retried Job) gets the earlier one's keys.
    // The library function with a pinned clock makes that second deterministic.
    const root = join(dir, 'same-second');
    const store: Store = { url: `file://${root}`, env: {} };
    const localStore = new LocalStore(root);
    const { recipients } = await loadRecipients(keys.recipients.map((r) => r.pub));
    const signingKey = await loadSigningKey(keys.signer.key);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const options = async (etcd: EtcdCluster) => ({
      store: localStore,
      cluster: 'e2e',
      node: 'cp-1',
      kubernetesDir: etcd.members[0]!.tree.dir,
      etcd: await resolveConnection({}, {}, etcd.members[0]!.tree.dir),
      recipients,
      signingKey,
      compression: 'zstd' as const,
      agentVersion: 'e2e',
      now: () => at,
    });
    const earlier = await runBackup(await options(small));
    const before = (await filesBelow(root)).sort();
    expect(before).toEqual(backupObjectKeys(earlier.metadata));

    // Same second, cancelled while the snapshot streams. Its clock starts in the
    // earlier backup's second and moves on, as a real one does while it waits.
    const cancel = new AbortController();
    let tick = at.getTime();
    const failed = await runBackup({
      ...(await options(big)),
      now: () => {
        tick += 300;
        return new Date(tick);
      },
      signal: cancel.signal,
      onProgress: (done, total) => {
        if (done > 0 && done < total) cancel.abort(new Error('received SIGTERM'));
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isLifeboatError(failed, 'aborted'), String(failed)).toBe(true);
    // The earlier backup's objects are all still there, and it lists complete and verifies.
    expect((await filesBelow(root)).sort()).toEqual(before);
    await expectEarlierIntact(store, [earlier.metadata.id]);
  });

  // Last: it kills the big etcd.
  it('(a) etcd killed mid-stream: the snapshot error is named, nothing is stored', async () => {
    const root = join(dir, 'etcd-killed');
    const store: Store = { url: `file://${root}`, env: {} };
    const earlier = await seed(store);
    const before = (await filesBelow(root)).sort();
    await nextSecond();
    // Interactive, so the CLI draws its progress ("snapshot: 3.2 MiB / 65.3 MiB …"):
    // etcd dies at the first progress report that shows the snapshot part-way.
    let killedAt: { done: number; total: number } | undefined;
    let killing: Promise<void> | undefined;
    const r = await lifeboat(backupArgs(store, big, ['--keep-last', '1']), store.env, {
      interactive: true,
      onStderr: (text) => {
        const m = /snapshot: ([\d.]+) MiB \/ ([\d.]+) MiB/.exec(text);
        if (!m || killing) return;
        const done = Number(m[1]);
        const total = Number(m[2]);
        if (done > 0 && done < total) {
          killedAt = { done, total };
          killing = big.members[0]!.server.kill();
        }
      },
    });
    await killing;
    expect(killedAt, `no progress was reported mid-stream:\n${r.err}`).toBeDefined();
    expect(killedAt!.done).toBeLessThan(killedAt!.total * 0.8);
    expect(r.code).toBe(1);
    expectOneLineError(r.err, /^lifeboat: etcd: .*snapshot/i);
    expect((await filesBelow(root)).sort()).toEqual(before);
    await expectEarlierIntact(store, earlier);
  });
});
