// Issue 5's multi-member proof: a three-member plan's three restore commands,
// run with the real etcdutl 3.5 and 3.6 on one snapshot of a real three-member
// cluster, each into its own data dir, form one new cluster: three members,
// all agreeing on revision (the backed-up one plus the bump) and hash, and
// serving the backed-up keys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRestore, readBundle } from '@lifeboat/restore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, type EtcdVersion, type Server, startEtcd } from '../infra/index.ts';
import {
  bundleFrom,
  expectSameKeys,
  getAll,
  plainEtcdctl,
  plainMembers,
  runStep,
  startRestored,
  stepOf,
  writeKeys,
} from './restore-helpers.ts';

const bump = 1_000_000_000;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-restore-three-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe.each(['3.6', '3.5'] as EtcdVersion[])('etcd %s, three members', (version) => {
  let cluster: EtcdCluster;
  const restored: Server[] = [];
  beforeAll(async () => {
    cluster = await startEtcd({ version, members: 3 });
  });
  afterAll(async () => {
    await Promise.all(restored.map((s) => s.stop()));
    await cluster?.stop();
  });

  it('the three restore commands form one cluster that agrees on revision and hash', async () => {
    const dir = join(work, version);
    await writeKeys(cluster, '/registry/pods/default/p-', 25);
    const backedUp = await getAll((args) => cluster.etcdctl(args));
    const bundle = await bundleFrom(cluster, join(dir, 'bundle'));
    await cluster.stop();

    // One machine plays three nodes: each member gets its own data dir, and
    // plain http on free loopback ports.
    const targets = await plainMembers(['cp-1', 'cp-2', 'cp-3']);
    const facts = await readBundle(bundle, { now: new Date() });
    const plan = planRestore({
      manifests: [facts.manifest],
      source: { bundleDir: facts.dir, raw: facts.raw },
      members: targets.map((t) => ({
        name: t.name,
        peerUrl: t.peerUrl,
        dataDir: join(dir, `data-${t.name}`),
      })),
      certificates: facts.certificates,
    });
    expect(plan.members.map((m) => m.name)).toEqual(['cp-1', 'cp-2', 'cp-3']);
    const initialCluster = targets.map((t) => `${t.name}=${t.peerUrl}`).join(',');
    for (const t of targets) {
      const restore = stepOf(plan, t.name, 'restore');
      expect(restore.commands[0]).toContain(` --initial-cluster ${initialCluster} `);
      await runStep(plan, restore, [cluster.bin.etcdutl!]);
    }

    // Members of a new cluster wait for each other: start all, then wait.
    const started = await Promise.all(
      targets.map((t) =>
        startRestored(cluster.bin.etcd, t, {
          dataDir: join(dir, `data-${t.name}`),
          initialCluster,
          token: plan.token,
          logDir: dir,
        }),
      ),
    );
    restored.push(...started);
    const endpoints = targets.map((t) => t.clientUrl);
    const etcdctl = plainEtcdctl(cluster.bin.etcdctl, endpoints);

    const members = JSON.parse(await etcdctl(['member', 'list', '-w', 'json'])).members;
    expect(members.map((m: { name: string }) => m.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    const status = JSON.parse(await etcdctl(['endpoint', 'status', '-w', 'json']));
    const revisions = status.map((s: { Status: { header: { revision: number } } }) =>
      Number(s.Status.header.revision),
    );
    expect(new Set(revisions).size).toBe(1);
    expect(revisions[0]).toBeGreaterThanOrEqual(backedUp.revision + bump);
    const clusterIds = status.map((s: { Status: { header: { cluster_id: string } } }) =>
      String(s.Status.header.cluster_id),
    );
    expect(new Set(clusterIds).size).toBe(1);
    const hashes = JSON.parse(await etcdctl(['endpoint', 'hashkv', '-w', 'json'])).map(
      (h: { HashKV: { hash: number; compact_revision: number } }) => [
        h.HashKV.hash,
        h.HashKV.compact_revision,
      ],
    );
    expect(hashes).toHaveLength(3);
    expect(new Set(hashes.map((h: number[]) => h.join('/'))).size).toBe(1);
    // Each member answers with the same keys, on its own.
    for (const endpoint of endpoints) {
      expectSameKeys(await getAll(plainEtcdctl(cluster.bin.etcdctl, [endpoint])), backedUp);
    }
  });
});
