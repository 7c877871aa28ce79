// `lifeboat snapshot status` against `etcdutl snapshot status -w json` on real
// snapshots from etcd 3.4, 3.5 and 3.6 (3.4 has no etcdutl: its files are
// checked with 3.5's and 3.6's), through a history that grows step by step:
// empty, thousands of small keys, values in overflow pages, deletes and a
// compaction, leases, auth enabled; and on a db written by kube-apiserver.
// Each snapshot's live keys are also compared with `etcdctl get` at its revision.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@lifeboat/agent';
import { semanticsFor, snapshotStatus } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanBytes } from '../../packages/agent/src/operations/snapshot-status.ts';
import {
  type EtcdCluster,
  type EtcdVersion,
  type KubeApiserver,
  startControlPlane,
  startEtcd,
} from '../infra/index.ts';
import {
  etcdctlLive,
  etcdctlStdin,
  etcdutl,
  etcdutlPaths,
  etcdutlStatus,
  ourLive,
  putMany,
} from './snapshot-status-helpers.ts';

let utl: { '3.5': string; '3.6': string };
let dir: string;
beforeAll(async () => {
  utl = await etcdutlPaths();
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-status-e2e-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Ours equals etcdutl 3.5 and 3.6 under the matching semantics, and by default the etcdutl the file implies. */
async function expectSameAsEtcdutl(file: string): Promise<{ revision: number; version: string }> {
  const [e35, e36, ours, ours35, ours36] = await Promise.all([
    etcdutlStatus(utl['3.5'], file),
    etcdutlStatus(utl['3.6'], file),
    snapshotStatus(file),
    snapshotStatus(file, { semantics: '3.5' }),
    snapshotStatus(file, { semantics: '3.6' }),
  ]);
  expect(e35.version).toBeUndefined(); // 3.5's etcdutl has no such field
  expect(ours35).toEqual({ ...e35, version: e36.version });
  expect(ours36).toEqual(e36);
  expect(ours).toEqual(semanticsFor(ours.version) === '3.6' ? ours36 : ours35);
  // And the command prints what etcdutl 3.6 prints, byte for byte, in both formats.
  for (const format of ['json', 'table'] as const) {
    const printed = await cli(['snapshot', 'status', file, '-w', format, '--semantics', '3.6']);
    expect(printed).toEqual({ code: 0, out: await etcdutl(utl['3.6'], file, format), err: '' });
  }
  return ours;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
  return { code, out, err };
}

/** `revision` is needed when something else may write meanwhile (kube-apiserver); else the current state is read. */
async function expectLiveKeysMatch(
  cluster: EtcdCluster,
  file: string,
  revision?: number,
  auth: string[] = [],
) {
  const [theirs, ours] = await Promise.all([etcdctlLive(cluster, revision, auth), ourLive(file)]);
  expect(ours.length).toBe(theirs.length);
  expect(ours).toEqual(theirs);
  return ours;
}

const versions: EtcdVersion[] = ['3.4', '3.5', '3.6'];

describe.each(versions)('snapshot status of etcd %s snapshots', (version) => {
  let cluster: EtcdCluster;
  let auth: string[] = [];
  let step = 0;
  beforeAll(async () => {
    cluster = await startEtcd({ version });
  });
  afterAll(() => cluster?.stop());

  async function save(): Promise<string> {
    const file = join(dir, `${version}-${step++}.db`);
    await cluster.etcdctl(['snapshot', 'save', file, ...auth]);
    return file;
  }

  async function check(): Promise<{ file: string; revision: number; version: string; live: number }> {
    const file = await save();
    const status = await expectSameAsEtcdutl(file);
    // Nothing else writes to this cluster, so its current state is the snapshot's. (After a
    // compaction the snapshot's last revision may itself be compacted: a tombstone at the
    // compact revision is dropped.)
    const live = await expectLiveKeysMatch(cluster, file, undefined, auth);
    if (version === '3.6') expect(status.version).toBe('3.6.0');
    else expect(status.version).toBe('');
    return { file, ...status, live: live.length };
  }

  it('an empty db', async () => {
    const { live } = await check();
    expect(live).toBe(0);
  });

  it('thousands of small keys (branch pages)', async () => {
    await putMany(
      cluster,
      Array.from(
        { length: 3000 },
        (_, i) => [`/small/${String(i).padStart(5, '0')}`, `value ${i}`] as [string, string],
      ),
    );
    expect((await check()).live).toBe(3000);
  });

  it('values in overflow pages (100 KiB to 1 MB)', async () => {
    await etcdctlStdin(cluster, ['put', '/big/a'], randomBytes(100 * 1024));
    await etcdctlStdin(
      cluster,
      ['put', '/big/b'],
      randomBytes(400 * 1024)
        .toString('base64')
        .slice(0, 400 * 1024),
    );
    await putMany(cluster, [['/big/c', randomBytes(1_000_000)]]);
    expect((await check()).live).toBe(3003);
  });

  it('deletes, overwrites and a compaction', async () => {
    await cluster.etcdctl(['del', '--prefix', '/small/00']);
    await putMany(
      cluster,
      Array.from(
        { length: 500 },
        (_, i) => [`/small/${String(1000 + i).padStart(5, '0')}`, `again ${i}`] as [string, string],
      ),
    );
    await cluster.etcdctl(['del', '/big/b']);
    const before = await check(); // deletions still present as tombstones
    const revision = JSON.parse(await cluster.etcdctl(['get', 'x', '-w', 'json'])).header.revision as number;
    await cluster.etcdctl(['compact', String(revision), '--physical']);
    const after = await check();
    expect(after.live).toBe(before.live);
    expect(after.live).toBe(3003 - 1000 - 1);
  });

  it('leases: keys attached to a lease, and a revoked lease', async () => {
    const grant = async () =>
      /lease ([0-9a-f]+) granted/.exec(await cluster.etcdctl(['lease', 'grant', '3600']))![1]!;
    const kept = await grant();
    const revoked = await grant();
    for (let i = 0; i < 5; i++) await cluster.etcdctl(['put', `/leased/kept-${i}`, 'v', `--lease=${kept}`]);
    for (let i = 0; i < 3; i++)
      await cluster.etcdctl(['put', `/leased/gone-${i}`, 'v', `--lease=${revoked}`]);
    await cluster.etcdctl(['lease', 'revoke', revoked]);
    const { file } = await check();
    const leased = (await ourLive(file)).filter((kv) => kv.key.startsWith('/leased/'));
    expect(leased.map((kv) => kv.key)).toEqual([0, 1, 2, 3, 4].map((i) => `/leased/kept-${i}`));
    expect(leased.every((kv) => kv.lease === BigInt(`0x${kept}`))).toBe(true);
  });

  it('auth enabled', async () => {
    await cluster
      .etcdctl(['user', 'add', 'root:pw', '--interactive=false'])
      .catch(() => cluster.etcdctl(['user', 'add', 'root:pw']));
    await cluster.etcdctl(['role', 'add', 'root']).catch(() => undefined); // built in from 3.5
    await cluster.etcdctl(['user', 'grant-role', 'root', 'root']);
    await cluster
      .etcdctl(['user', 'add', 'reader:secret', '--interactive=false'])
      .catch(() => cluster.etcdctl(['user', 'add', 'reader:secret']));
    await cluster.etcdctl(['auth', 'enable']);
    auth = ['--user=root:pw'];
    await cluster.etcdctl(['put', '/after-auth', 'yes', ...auth]);
    const { file } = await check();
    // The auth buckets now hold the users: 3.5 counts them as keys, 3.6 does not.
    const [e35, e36] = [await etcdutlStatus(utl['3.5'], file), await etcdutlStatus(utl['3.6'], file)];
    expect(e35.totalKey).toBeGreaterThan(e36.totalKey);
  });
});

describe('the snapshot status command', () => {
  let cluster: EtcdCluster;
  let file: string;
  beforeAll(async () => {
    cluster = await startEtcd({ version: '3.6' });
    await putMany(
      cluster,
      Array.from({ length: 200 }, (_, i) => [`/cli/${i}`, 'x'.repeat(i * 50)] as [string, string]),
    );
    file = join(dir, 'cli.db');
    await cluster.etcdctl(['snapshot', 'save', file]);
  });
  afterAll(() => cluster?.stop());

  it('prints the JSON etcdutl 3.6 prints, byte for byte', async () => {
    const ours = await cli(['snapshot', 'status', file, '-w', 'json']);
    expect(ours).toEqual({ code: 0, out: await etcdutl(utl['3.6'], file), err: '' });
  });

  it('draws the table etcdutl 3.6 draws', async () => {
    const ours = await cli(['snapshot', 'status', file, '-w', 'table']);
    expect(ours.out).toBe(await etcdutl(utl['3.6'], file, 'table'));
  });

  it('reports 3.5 semantics on request', async () => {
    const ours = JSON.parse(
      (await cli(['snapshot', 'status', file, '-o', 'json', '--semantics', '3.5'])).out,
    );
    expect(ours).toEqual({ ...(await etcdutlStatus(utl['3.5'], file)), version: '3.6.0' });
  });

  it('fails with one line for a missing file or a bad flag', async () => {
    expect(await cli(['snapshot', 'status', join(dir, 'nope.db')])).toMatchObject({
      code: 1,
      out: '',
      err: expect.stringMatching(/^lifeboat: not-found: .*nope\.db does not exist\n$/),
    });
    expect((await cli(['snapshot', 'status', file, '--semantics', '3.4'])).code).toBe(2);
  });
});

describe("etcdutl's number formatting", () => {
  it.each([
    [0, '0 B'],
    [9, '9 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1049, '1.0 kB'],
    [1050, '1.1 kB'],
    [12_500, '12 kB'], // Go's %.0f rounds a half to even
    [13_500, '14 kB'],
    [229_376, '229 kB'],
    [1_073_741_824, '1.1 GB'],
    [8_589_934_592, '8.6 GB'],
  ])('%i bytes print as %j, as go-humanize does', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});

describe('snapshot status of a db written by kube-apiserver', () => {
  let cp: KubeApiserver;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(() => cp?.stop());

  async function create(path: string, body: unknown): Promise<void> {
    const res = await cp.admin.call('POST', `${cp.url}${path}`, body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
  }

  it('agrees with etcdutl and etcdctl on the objects stored', async () => {
    const ns = 'lifeboat-status';
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await create(`/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { big: 'x'.repeat(200_000), small: 'y' },
    });
    await create(`/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds' },
      data: { password: Buffer.from('hunter2').toString('base64') },
    });
    await create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    });
    const file = join(dir, 'kube-apiserver.db');
    await cp.etcd.etcdctl(['snapshot', 'save', file]);
    const status = await expectSameAsEtcdutl(file);
    const live = await expectLiveKeysMatch(cp.etcd, file, status.revision);
    const keys = live.map((kv) => kv.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        `/registry/namespaces/${ns}`,
        `/registry/configmaps/${ns}/settings`,
        `/registry/secrets/${ns}/creds`,
        `/registry/deployments/${ns}/web`,
      ]),
    );
    expect(live.length).toBeGreaterThan(100); // the apiserver's own objects: RBAC, priority classes, leases…
  });
});
