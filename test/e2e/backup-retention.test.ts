// Issue 4, retention end to end with the real CLI, on the folder store and on
// MinIO: `backup --keep-last 2` run again and again keeps exactly the newest
// two (every object of the others gone, nothing else touched); `prune
// --dry-run` prints the plan and deletes nothing, and the same prune without
// it deletes what the plan said. On a bucket with Object Lock, where every
// object is written with a GOVERNANCE retention of an hour, retention (after
// a backup, and `lifeboat prune`) reports each refusal, exits 0, and leaves
// every backup complete and verifiable.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectRetentionCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, fillEtcd, type Minio, startEtcd, startMinio } from '../infra/index.ts';
import {
  backupObjectKeys,
  filesBelow,
  type Keys,
  keyFlags,
  lifeboat,
  lifeboatOk,
  listStore,
  MiB,
  makeKeys,
  nextSecond,
  verifyJson,
} from './backup-helpers.ts';

let dir: string;
let keys: Keys;
let etcd: EtcdCluster;
let minio: Minio;
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-backup-retention-'));
  const startingEtcd = (async () => {
    etcd = await startEtcd({ version: '3.6' });
    await fillEtcd(etcd, { targetBytes: 2 * MiB });
  })();
  [keys, minio] = await Promise.all([makeKeys(join(dir, 'keys')), startMinio(), startingEtcd]);
  s3 = minio.client();
});

afterAll(async () => {
  s3?.destroy();
  await Promise.allSettled([etcd?.stop(), minio?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

interface Store {
  url: string;
  env: Record<string, string>;
  /** Every object key in the store, straight from the folder or the bucket. */
  objects(): Promise<string[]>;
}

function s3Store(bucket: string, prefix: string): Store {
  return {
    url: `s3://${bucket}/${prefix}?endpoint=${minio.endpoint}&pathStyle=true`,
    env: { ...minio.env },
    async objects() {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
      return (out.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
    },
  };
}

function storeFor(kind: 'file' | 's3'): Store {
  if (kind === 's3') return s3Store(minio.bucket, 'retention');
  const root = join(dir, 'folder-store');
  return { url: `file://${root}`, env: {}, objects: async () => (await filesBelow(root)).sort() };
}

/** One backup in a second of its own; returns its id and stderr. */
async function backup(store: Store, extra: string[]): Promise<{ id: string; err: string }> {
  await nextSecond();
  const r = await lifeboatOk(
    [
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
      '-o',
      'json',
    ],
    store.env,
  );
  return { id: JSON.parse(r.out).id, err: r.err };
}

/** Complete backups, newest first, and every object they consist of. */
async function state(store: Store) {
  const listed = await listStore(store.url, store.env);
  expect(listed.every((b) => b.state === 'complete')).toBe(true);
  return {
    ids: listed.map((b) => b.id),
    keys: listed.flatMap((b) => backupObjectKeys(b.metadata!)).sort(),
  };
}

/** The log line retention writes after a backup. */
function retentionLog(err: string): { kept: number; deleted: number } | undefined {
  for (const line of err.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line);
    if (entry.msg === 'retention applied') return { kept: entry.kept, deleted: entry.deleted };
  }
  return undefined;
}

describe.each(['file', 's3'] as const)('retention on the %s store', (kind) => {
  it('backup --keep-last 2 keeps the newest two; prune --dry-run only prints the plan', async () => {
    const store = storeFor(kind);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { id, err } = await backup(store, ['--keep-last', '2']);
      ids.push(id);
      expect(retentionLog(err)).toEqual({ kept: Math.min(i + 1, 2), deleted: i < 2 ? 0 : 1 });
      const now = await state(store);
      // The newest two, newest first; the store holds their objects and nothing else.
      expect(now.ids).toEqual(ids.slice(-2).reverse());
      expect(await store.objects()).toEqual(now.keys);
      expect(now.keys).toHaveLength(Math.min(i + 1, 2) * 3);
    }
    const [older, newest] = ids.slice(-2) as [string, string];

    // --dry-run: the plan, in the words the real run uses, and nothing deleted.
    const before = await store.objects();
    const dry = await lifeboat(['prune', '--store', store.url, '--keep-last', '1', '--dry-run'], store.env);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^keep +e2e/cp-1/${newest} +\\S`)),
      expect.stringMatching(new RegExp(`^would delete e2e/cp-1/${older} +\\S`)),
    ]);
    const plan = await lifeboat(
      ['prune', '--store', store.url, '--keep-last', '1', '--dry-run', '-o', 'json'],
      store.env,
    );
    expect(JSON.parse(plan.out)).toMatchObject({
      dryRun: true,
      keep: [{ id: newest }],
      delete: [{ id: older }],
      deleted: [],
      refused: [],
    });
    expect(await store.objects()).toEqual(before);
    expect((await state(store)).ids).toEqual([newest, older]);

    // The same prune for real deletes exactly what the plan named.
    const real = await lifeboat(['prune', '--store', store.url, '--keep-last', '1'], store.env);
    expect(real.code, real.err).toBe(0);
    expect(real.out).toMatch(new RegExp(`^deleted +e2e/cp-1/${older} `, 'm'));
    const after = await state(store);
    expect(after.ids).toEqual([newest]);
    expect(await store.objects()).toEqual(after.keys);
  });
});

describe('retention on an S3 bucket with Object Lock', () => {
  it('reports each refusal, exits 0, and leaves every backup complete and verifiable', async () => {
    const store = s3Store(minio.lockedBucket, 'locked');
    const lock = ['--object-lock-mode', 'GOVERNANCE', '--object-lock-retain', '1h'];
    const first = await backup(store, lock);
    const second = await backup(store, lock);
    // Every object of a backup carries the retention.
    for (const key of await store.objects()) {
      const { Retention } = await s3.send(
        new GetObjectRetentionCommand({ Bucket: minio.lockedBucket, Key: `locked/${key}` }),
      );
      expect(Retention?.Mode, key).toBe('GOVERNANCE');
      const left = Retention!.RetainUntilDate!.getTime() - Date.now();
      expect(left).toBeGreaterThan(50 * 60_000);
      expect(left).toBeLessThanOrEqual(60 * 60_000);
    }

    // Retention after a successful backup: the two older ones are refused, the backup still succeeds.
    const third = await backup(store, [...lock, '--keep-last', '1']);
    expect(retentionLog(third.err)).toEqual({ kept: 1, deleted: 0 });
    for (const older of [first.id, second.id]) {
      expect(third.err).toMatch(
        new RegExp(`"could not delete backup ${older}: .*is locked until .*\\(Object Lock GOVERNANCE\\)"`),
      );
    }

    // lifeboat prune: a REFUSED line per locked backup, exit 0.
    const pruned = await lifeboat(['prune', '--store', store.url, '--keep-last', '1'], store.env);
    expect(pruned.code, pruned.err).toBe(0);
    expect(pruned.out.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^keep +e2e/cp-1/${third.id} `)),
      expect.stringMatching(
        new RegExp(`^REFUSED e2e/cp-1/${second.id} +.*is locked until .*\\(Object Lock GOVERNANCE\\)$`),
      ),
      expect.stringMatching(
        new RegExp(`^REFUSED e2e/cp-1/${first.id} +.*is locked until .*\\(Object Lock GOVERNANCE\\)$`),
      ),
    ]);
    const json = await lifeboat(['prune', '--store', store.url, '--keep-last', '1', '-o', 'json'], store.env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      dryRun: false,
      deleted: [],
      refused: [
        { id: second.id, reason: expect.stringContaining('locked until') },
        { id: first.id, reason: expect.stringContaining('locked until') },
      ],
    });

    // Nothing was half-deleted: all three complete, and the oldest still verifies in full.
    const now = await state(store);
    expect(now.ids).toEqual([third.id, second.id, first.id]);
    expect(await store.objects()).toEqual(now.keys);
    const { report } = await verifyJson(
      store.url,
      first.id,
      ['--key', keys.recipients[1]!.key, '--signer-key', keys.signer.pub],
      store.env,
    );
    expect(report.ok).toBe(true);
  });
});
