// Issue 5's disaster test through kube-apiserver: objects created through a
// real kube-apiserver 1.35 (a Namespace, ConfigMaps, a Secret, a Deployment, a
// CRD and its custom resources) → `lifeboat backup` → the objects are deleted,
// changed and a new one created → kube-apiserver and etcd stop → `lifeboat
// fetch`, the generated plan's restore steps run with the real etcdutl into a
// new data dir → etcd starts with the edited etcd.yaml's flags, kube-apiserver
// on it → the API serves exactly the backed-up objects, the collection
// resourceVersion is bumped past everything a client saw before, and a watch
// or an exact list from an old resourceVersion gets 410 Gone.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEtcdManifest } from '@lifeboat/etcd';
import type { RestorePlan } from '@lifeboat/restore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiserverProcess,
  type HttpsClient,
  type KubeApiserver,
  type Server,
  startControlPlane,
  startKubeApiserver,
  startServer,
} from '../infra/index.ts';
import { keyFlags, lifeboatOk, makeKeys } from './backup-helpers.ts';
import { runStep, stepOf } from './restore-helpers.ts';

const bump = 1_000_000_000;
const ns = 'shop';

interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid: string; resourceVersion: string; [k: string]: unknown };
  [k: string]: unknown;
}
interface List {
  metadata: { resourceVersion: string };
  items: Obj[];
}

// Every object the test writes, by its API path.
const paths = {
  namespace: `/api/v1/namespaces/${ns}`,
  settings: `/api/v1/namespaces/${ns}/configmaps/settings`,
  flags: `/api/v1/namespaces/${ns}/configmaps/flags`,
  stable: `/api/v1/namespaces/${ns}/configmaps/stable`,
  secret: `/api/v1/namespaces/${ns}/secrets/db-password`,
  deployment: `/apis/apps/v1/namespaces/${ns}/deployments/web`,
  crd: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.lifeboat.dev',
  blue: `/apis/example.lifeboat.dev/v1/namespaces/${ns}/widgets/blue`,
  red: `/apis/example.lifeboat.dev/v1/namespaces/${ns}/widgets/red`,
};
type Name = keyof typeof paths;
const lists = {
  configmaps: `/api/v1/namespaces/${ns}/configmaps`,
  secrets: `/api/v1/namespaces/${ns}/secrets`,
  deployments: `/apis/apps/v1/namespaces/${ns}/deployments`,
  widgets: `/apis/example.lifeboat.dev/v1/namespaces/${ns}/widgets`,
};
type ListName = keyof typeof lists;

let work: string;
let cp: KubeApiserver | undefined;
let restoredEtcd: Server | undefined;
let restoredApi: ApiserverProcess | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-disaster-'));
  cp = await startControlPlane();
}, 180_000);
afterAll(async () => {
  await restoredApi?.stop();
  await restoredEtcd?.stop();
  await cp?.stop();
  await rm(work, { recursive: true, force: true });
});

/** The API's answer, which must have the expected status; the body otherwise shows in the failure. */
async function call<T = Obj>(
  api: { admin: HttpsClient; url: string },
  method: string,
  path: string,
  status: number | number[],
  body?: unknown,
  contentType?: string,
): Promise<T> {
  const res = await api.admin.call(method, `${api.url}${path}`, body, contentType);
  const ok = Array.isArray(status) ? status : [status];
  if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

/** Retries until the API answers with the status (a new CRD's endpoints appear after a moment). */
async function eventually<T>(f: () => Promise<T>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const cm = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { app: 'shop' } },
  data,
});
const widget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'example.lifeboat.dev/v1',
  kind: 'Widget',
  metadata: { name },
  spec,
});
const merge = 'application/merge-patch+json';

describe('disaster: restore the whole control plane from `lifeboat backup`', () => {
  it('kube-apiserver on the restored etcd serves exactly the backed-up objects, past every old resourceVersion', async () => {
    const api = cp!;
    const member = api.etcd.members[0]!;
    const tree = member.tree.dir;
    const seen: number[] = [];
    const note = (rv: string) => {
      seen.push(Number(rv));
      return rv;
    };

    // 1. Objects through the API.
    await call(api, 'POST', '/api/v1/namespaces', 201, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await call(api, 'POST', lists.configmaps, 201, cm('settings', { mode: 'production', replicas: '2' }));
    await call(api, 'POST', lists.configmaps, 201, cm('flags', { beta: 'on' }));
    await call(api, 'POST', lists.configmaps, 201, cm('stable', { 'big.txt': 'x'.repeat(64 * 1024) }));
    await call(api, 'POST', lists.secrets, 201, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-password' },
      type: 'Opaque',
      data: { password: Buffer.from('hunter2 before the disaster').toString('base64') },
    });
    await call(api, 'POST', lists.deployments, 201, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] },
        },
      },
    });
    await call(api, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 201, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.lifeboat.dev' },
      spec: {
        group: 'example.lifeboat.dev',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        ],
      },
    });
    await eventually(() =>
      call(api, 'POST', lists.widgets, 201, widget('blue', { size: 3, colour: 'blue' })),
    );
    await call(api, 'POST', lists.widgets, 201, widget('red', { size: 1, colour: 'red' }));
    // The CRD's status (Established) settles asynchronously: read it once it has.
    await eventually(async () => {
      const crd = await call<{ status?: { conditions?: { type: string; status: string }[] } }>(
        api,
        'GET',
        paths.crd,
        200,
      );
      if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
        throw new Error('CRD not established yet');
    });

    const read = async (a: { admin: HttpsClient; url: string }) => {
      const out = {} as Record<Name, Obj>;
      for (const name of Object.keys(paths) as Name[]) out[name] = await call(a, 'GET', paths[name], 200);
      return out;
    };
    const readLists = async (a: { admin: HttpsClient; url: string }) => {
      const out = {} as Record<ListName, List>;
      for (const name of Object.keys(lists) as ListName[])
        out[name] = await call<List>(a, 'GET', lists[name], 200);
      return out;
    };
    const backedUp = await read(api);
    const backedUpLists = await readLists(api);
    for (const o of Object.values(backedUp)) note(o.metadata.resourceVersion);
    for (const l of Object.values(backedUpLists)) note(l.metadata.resourceVersion);
    expect(backedUpLists.configmaps.items.map((i) => i.metadata.name)).toEqual([
      'flags',
      'settings',
      'stable',
    ]);
    expect(backedUpLists.widgets.items.map((i) => i.metadata.name)).toEqual(['blue', 'red']);

    // 2. The backup, with the node's tree.
    const keys = await makeKeys(join(work, 'keys'));
    const storeRoot = join(work, 'store');
    const store = `file://${storeRoot}`;
    const backup = JSON.parse(
      (
        await lifeboatOk([
          'backup',
          '--store',
          store,
          '--cluster',
          'prod',
          '--node',
          'cp-1',
          '--kubernetes-dir',
          tree,
          ...keyFlags(keys),
          '-o',
          'json',
        ])
      ).out,
    ) as { id: string; etcd: { revision: number } };
    note(String(backup.etcd.revision));
    // Taken while the objects were as read above (kube-apiserver's own leases move on, ours do not).
    expect(backup.etcd.revision).toBeGreaterThanOrEqual(Math.max(...seen));

    // 3. The disaster: deletions, changes, a new object.
    await call(api, 'DELETE', paths.flags, 200);
    await call(api, 'DELETE', paths.secret, 200);
    await call(api, 'DELETE', paths.red, 200);
    note(
      (await call(api, 'PATCH', paths.settings, 200, { data: { mode: 'broken' } }, merge)).metadata
        .resourceVersion,
    );
    note(
      (
        await call(
          api,
          'PATCH',
          paths.deployment,
          200,
          {
            spec: {
              replicas: 7,
              template: { spec: { containers: [{ name: 'web', image: 'registry.example/web:6.6.6' }] } },
            },
          },
          'application/strategic-merge-patch+json',
        )
      ).metadata.resourceVersion,
    );
    note((await call(api, 'PATCH', paths.blue, 200, { spec: { size: 99 } }, merge)).metadata.resourceVersion);
    note(
      (await call(api, 'PATCH', paths.namespace, 200, { metadata: { labels: { hacked: 'yes' } } }, merge))
        .metadata.resourceVersion,
    );
    note(
      (await call(api, 'POST', lists.configmaps, 201, cm('created-after', { lost: 'yes' }))).metadata
        .resourceVersion,
    );
    // The disaster really happened: what the restore has to undo.
    for (const name of ['flags', 'secret', 'red'] as Name[]) await call(api, 'GET', paths[name], 404);
    for (const name of ['settings', 'deployment', 'blue', 'namespace'] as Name[])
      expect((await call(api, 'GET', paths[name], 200)).metadata.resourceVersion).not.toBe(
        backedUp[name].metadata.resourceVersion,
      );
    const before = await readLists(api);
    for (const l of Object.values(before)) note(l.metadata.resourceVersion);
    expect(before.configmaps.items.map((i) => i.metadata.name)).toEqual([
      'created-after',
      'settings',
      'stable',
    ]);
    const maxSeen = Math.max(...seen);
    expect(maxSeen).toBeGreaterThan(backup.etcd.revision);

    // 4. The control plane goes down.
    const port = Number(new URL(api.url).port);
    await api.server.stop(10_000);
    await member.server.stop();

    // 5. Fetch, plan, restore with the real etcdutl into a new data dir.
    const fetched = join(work, 'fetched');
    await lifeboatOk([
      'fetch',
      '--store',
      store,
      backup.id,
      '--key',
      keys.recipients[0]!.key,
      '--out',
      fetched,
    ]);
    const metadata = join(storeRoot, 'prod/cp-1', `${backup.id}.json`);
    expect(await readdir(join(storeRoot, 'prod/cp-1'))).toContain(`${backup.id}.json`);
    const dataDir = join(work, 'restored etcd data');
    const out = join(work, 'plan');
    await lifeboatOk([
      'restore-plan',
      '--bundle',
      fetched,
      '--metadata',
      metadata,
      '--data-dir',
      dataDir,
      '--out',
      out,
    ]);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8')) as RestorePlan;
    expect(plan.backup).toMatchObject({ id: backup.id, revision: backup.etcd.revision });
    expect(plan.members.map((m) => m.name)).toEqual(['cp-1']);
    const etcdutl = api.etcd.bin.etcdutl!;
    const restore = stepOf(plan, 'cp-1', 'restore');
    expect(restore.commands).toHaveLength(1);
    expect(restore.commands[0]).toContain(`--bump-revision ${bump} --mark-compacted`);
    expect(restore.commands[0]).toContain(dataDir);
    await runStep(plan, stepOf(plan, 'cp-1', 'check-snapshot'), [etcdutl]);
    await runStep(plan, restore, [etcdutl]);
    await runStep(plan, stepOf(plan, 'cp-1', 'ownership'), [etcdutl]);

    // 6. etcd with the edited etcd.yaml's flags: new data dir, same ports and certificates.
    const manifest = parseEtcdManifest(await readFile(join(out, 'etcd.yaml.cp-1.edited'), 'utf8'));
    expect(manifest.dataDir).toBe(dataDir);
    expect(manifest.flags.get('listen-client-urls')).toBe(member.clientUrl);
    const args = [...manifest.flags].map(
      ([k, v]) => `--${k}=${v.replaceAll('/etc/kubernetes/', `${tree}/`)}`,
    );
    restoredEtcd = await startServer({
      name: 'etcd from the edited etcd.yaml',
      command: api.etcd.bin.etcd,
      args: [...args, '--log-level=warn'],
      logFile: join(work, 'restored-etcd.log'),
      env: { ETCD_UNSUPPORTED_ARCH: '' },
      ready: async () => api.etcd.healthy(member),
    });

    // 7. kube-apiserver on it, on the same port.
    restoredApi = await startKubeApiserver({ etcdEndpoints: api.etcd.endpoints, tree, port });
    const now = restoredApi;

    // Exactly the backed-up objects: deleted ones back (same uid, same content),
    // changed ones as they were, the later one gone.
    const restored = await eventually(() => read(now));
    for (const name of Object.keys(paths) as Name[]) {
      expect(restored[name].metadata.uid, name).toBe(backedUp[name].metadata.uid);
      expect(restored[name], name).toEqual(backedUp[name]);
    }
    await call(now, 'GET', `${lists.configmaps}/created-after`, 404);
    const after = await readLists(now);
    for (const name of Object.keys(lists) as ListName[])
      expect(after[name].items, name).toEqual(backedUpLists[name].items);

    // The bump: every collection resourceVersion now is past all a client saw
    // before, and so is a new write.
    for (const name of Object.keys(lists) as ListName[]) {
      expect(Number(after[name].metadata.resourceVersion), name).toBeGreaterThan(maxSeen);
      expect(Number(after[name].metadata.resourceVersion), name).toBeGreaterThanOrEqual(
        backup.etcd.revision + bump,
      );
    }
    const written = await call(now, 'POST', lists.configmaps, 201, cm('after-restore', { fresh: 'yes' }));
    expect(Number(written.metadata.resourceVersion)).toBeGreaterThan(backup.etcd.revision + bump);

    // An informer resuming from what it saw before is told to relist, never
    // served stale history: a watch from the newest old resourceVersion, and an
    // exact list at the backup's.
    for (const rv of [maxSeen, Number(backedUpLists.configmaps.metadata.resourceVersion)]) {
      const res = await now.admin.call(
        'GET',
        `${now.url}${lists.configmaps}?watch=true&resourceVersion=${rv}&timeoutSeconds=5`,
      );
      expect(res.status, res.body).toBe(200);
      const events = res.body
        .split('\n')
        .filter((l) => l.trim())
        .map(
          (l) =>
            JSON.parse(l) as { type: string; object: { code?: number; reason?: string; message?: string } },
        );
      expect(events, res.body).toHaveLength(1);
      expect(events[0]!.type).toBe('ERROR');
      expect(events[0]!.object).toMatchObject({ code: 410, reason: 'Expired' });
      expect(events[0]!.object.message).toMatch(/too old resource version/);
    }
    const exact = await now.admin.call(
      'GET',
      `${now.url}${lists.configmaps}?resourceVersion=${backedUpLists.configmaps.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(exact.status, exact.body).toBe(410);
    expect(exact.json<{ reason: string }>().reason).toBe('Expired');
  });
});
