// `lifeboat snapshot ls | get | export` on a snapshot of a real kube-apiserver's
// etcd (3.6), taken with `etcdctl snapshot save`: ls lists what the API lists at
// the snapshot's revision, get's YAML recreates deleted objects through the API,
// and export holds exactly the keys and values etcd serves at that revision.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Io, runCli } from '@lifeboat/agent';
import { type KubernetesObject, snapshotStatus, storedValueField } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KubeApiserver, startControlPlane } from '../infra/index.ts';

const ns = 'lifeboat-objects';
const group = 'example.lifeboat.dev';
const binary = Buffer.from([0, 1, 2, 0x0a, 0x0d, 0x7f, 0x80, 0xfe, 0xff]);

const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: ns,
    labels: { app: 'shop', tier: 'on' },
    annotations: { team: 'payments' },
  },
  // Strings a YAML 1.1 reader would otherwise turn into booleans or numbers.
  data: { enabled: 'yes', mode: '0755', duration: '1:20', 'app.properties': 'replicas=3\nmode=prod\n' },
  binaryData: { 'logo.bin': binary.toString('base64') },
};

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-creds', namespace: ns, labels: { app: 'shop' } },
  type: 'Opaque',
  data: { user: Buffer.from('admin').toString('base64'), key: binary.toString('base64') },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.example/web:1.2.3' }] },
    },
  },
};

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

const widget = {
  apiVersion: `${group}/v1`,
  kind: 'Widget',
  metadata: { name: 'blue', namespace: ns, labels: { shade: 'dark' }, annotations: { owner: 'platform' } },
  spec: { size: 3, color: 'yes' },
};

interface Cli {
  code: number;
  out: string;
  err: string;
  bytes: Buffer;
}

/** The CLI in this process, with a binary stdout like the real one. */
async function cli(args: string[]): Promise<Cli> {
  const chunks: Buffer[] = [];
  let err = '';
  const io: Io = {
    stdout: (text) => {
      chunks.push(Buffer.from(text));
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    writeStdout: async (chunk) => {
      chunks.push(Buffer.from(chunk));
    },
  };
  const code = await runCli(args, io);
  const bytes = Buffer.concat(chunks);
  return { code, out: bytes.toString('utf8'), err, bytes };
}

async function ok(args: string[]): Promise<Cli> {
  const result = await cli(args);
  expect(result.err, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return result;
}

/** etcdctl's JSON with int64 lease ids kept exact (as decimal strings). */
interface EtcdctlKv {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  lease?: string;
}

async function etcdctlKvs(cp: KubeApiserver, args: string[]): Promise<EtcdctlKv[]> {
  const text = await cp.etcd.etcdctl(['get', ...args, '-w', 'json']);
  const exact = text.replace(/"lease":(\d+)/g, '"lease":"$1"');
  return (JSON.parse(exact) as { kvs?: EtcdctlKv[] }).kvs ?? [];
}

describe('snapshot ls, get and export on a kube-apiserver snapshot', () => {
  let cp: KubeApiserver;
  let dir: string;
  let file: string;
  let revision: number;
  const created = new Map<string, KubernetesObject>();

  async function api(method: string, path: string, body?: unknown, contentType?: string) {
    return cp.admin.call(method, `${cp.url}${path}`, body, contentType);
  }

  async function mustApi<T = KubernetesObject>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
    return res.json<T>();
  }

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-snapshot-objects-'));
    cp = await startControlPlane();
    await mustApi('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await mustApi('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    await until('the Widget CRD to be served', async () => {
      return (await api('GET', `/apis/${group}/v1/namespaces/${ns}/widgets`)).status === 200;
    });
    created.set('configmap', await mustApi('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap));
    created.set('secret', await mustApi('POST', `/api/v1/namespaces/${ns}/secrets`, secret));
    created.set(
      'deployment',
      await mustApi('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment),
    );
    created.set('widget', await mustApi('POST', `/apis/${group}/v1/namespaces/${ns}/widgets`, widget));
    file = join(dir, 'snapshot.db');
    await cp.etcd.etcdctl(['snapshot', 'save', file]);
    // kube-apiserver keeps writing (leases, events): everything is compared at the snapshot's revision.
    revision = (await snapshotStatus(file)).revision;
  }, 300_000);

  afterAll(async () => {
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ls lists the created objects with their kind, namespace and name', async () => {
    const { out } = await ok(['snapshot', 'ls', file, '--prefix', `/registry/`, '-o', 'json']);
    const entries = JSON.parse(out) as Record<string, unknown>[];
    const byKey = new Map(entries.map((e) => [e['key'] as string, e]));
    const expectEntry = (key: string, fields: Record<string, unknown>, object: KubernetesObject) => {
      expect(byKey.get(key), key).toMatchObject({
        type: 'object',
        ...fields,
        name: object.metadata.name,
        apiVersion: object.apiVersion,
        kind: object.kind,
        modRevision: Number(object.metadata.resourceVersion),
      });
    };
    expectEntry(
      `/registry/configmaps/${ns}/settings`,
      { resource: 'configmaps', group: '', namespace: ns, encoding: 'protobuf' },
      created.get('configmap')!,
    );
    expectEntry(
      `/registry/secrets/${ns}/db-creds`,
      { resource: 'secrets', group: '', namespace: ns, encoding: 'protobuf' },
      created.get('secret')!,
    );
    expectEntry(
      `/registry/deployments/${ns}/web`,
      { resource: 'deployments', group: 'apps', namespace: ns, encoding: 'protobuf' },
      created.get('deployment')!,
    );
    expectEntry(
      `/registry/${group}/widgets/${ns}/blue`,
      { resource: 'widgets', group, namespace: ns, encoding: 'json' },
      created.get('widget')!,
    );
    expect(
      byKey.get(`/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.${group}`),
    ).toMatchObject({
      type: 'object',
      kind: 'CustomResourceDefinition',
      name: `widgets.${group}`,
      encoding: 'json',
    });
    expect(byKey.get(`/registry/namespaces/${ns}`)).toMatchObject({ kind: 'Namespace', name: ns });
    expect(entries.filter((e) => e['error'] !== undefined)).toEqual([]);

    // The table shows the same keys, sorted, one row each.
    const table = (await ok(['snapshot', 'ls', file])).out.trimEnd().split('\n');
    const all = JSON.parse((await ok(['snapshot', 'ls', file, '-o', 'json'])).out) as { key: string }[];
    expect(table.slice(1).map((row) => row.split(/ {2,}/).at(-1))).toEqual(all.map((e) => e.key));
    expect(table.find((row) => row.endsWith(`/registry/deployments/${ns}/web`))).toMatch(
      new RegExp(`^deployments\\.apps +${ns} +web +Deployment +apps/v1 +\\d+ +\\d+ +protobuf +/`),
    );
  });

  it.each([
    ['configmaps', '/api/v1/configmaps', '/registry/configmaps/'],
    ['secrets', '/api/v1/secrets', '/registry/secrets/'],
    ['deployments', '/apis/apps/v1/deployments', '/registry/deployments/'],
    ['namespaces', '/api/v1/namespaces', '/registry/namespaces/'],
    ['clusterroles', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/registry/clusterroles/'],
    ['crds', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', '/registry/apiextensions.k8s.io/'],
    ['widgets', `/apis/${group}/v1/widgets`, `/registry/${group}/widgets/`],
  ])('ls lists the %s the API lists at the snapshot revision', async (_name, path, prefix) => {
    // The list as of exactly the snapshot's revision, served from etcd.
    const list = await mustApi<{ kind: string; items: KubernetesObject[] }>(
      'GET',
      `${path}?resourceVersion=${revision}&resourceVersionMatch=Exact`,
    );
    const kind = list.kind.replace(/List$/, '');
    const fromApi = list.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}/${kind}`).sort();
    const { out } = await ok(['snapshot', 'ls', file, '--prefix', prefix, '-o', 'json']);
    const entries = JSON.parse(out) as { namespace?: string; name: string; kind: string }[];
    const fromSnapshot = entries.map((e) => `${e.namespace ?? ''}/${e.name}/${e.kind}`).sort();
    expect(fromApi.length).toBeGreaterThan(0);
    expect(fromSnapshot).toEqual(fromApi);
  });

  /** What the user wrote: compared between an original and its recreation. */
  function content(object: KubernetesObject) {
    const { metadata, status: _status, ...rest } = object;
    return {
      ...rest,
      name: metadata.name,
      namespace: metadata.namespace,
      labels: metadata.labels,
      annotations: metadata.annotations,
    };
  }

  it.each([
    ['configmap', `/registry/configmaps/${ns}/settings`, `/api/v1/namespaces/${ns}/configmaps/settings`],
    ['secret', `/registry/secrets/${ns}/db-creds`, `/api/v1/namespaces/${ns}/secrets/db-creds`],
    ['widget', `/registry/${group}/widgets/${ns}/blue`, `/apis/${group}/v1/namespaces/${ns}/widgets/blue`],
  ])('get prints %s YAML that recreates the deleted object (server-side apply)', async (which, key, path) => {
    const original = created.get(which)!;
    const { out: yaml } = await ok(['snapshot', 'get', file, key]);
    for (const field of ['uid:', 'resourceVersion:', 'creationTimestamp:', 'managedFields:']) {
      expect(yaml).not.toContain(field);
    }
    expect((await api('DELETE', path)).status).toBe(200);
    await until(`${path} to be deleted`, async () => (await api('GET', path)).status === 404);

    const applied = await api('PATCH', `${path}?fieldManager=lifeboat`, yaml, 'application/apply-patch+yaml');
    expect(applied.status, applied.body).toBe(201);
    const recreated = await mustApi('GET', path);
    expect(recreated.metadata.uid).not.toBe(original.metadata.uid);
    expect(content(recreated)).toEqual(content(original));
    // And the spelled-out fields, in case both sides lost the same thing.
    if (which === 'configmap') {
      expect(recreated['data']).toEqual(configMap.data);
      expect(recreated['binaryData']).toEqual(configMap.binaryData);
      expect(recreated.metadata.labels).toEqual(configMap.metadata.labels);
    } else if (which === 'secret') {
      expect(recreated['data']).toEqual(secret.data);
      expect(recreated.metadata.labels).toEqual(secret.metadata.labels);
    } else {
      expect(recreated['spec']).toEqual(widget.spec);
      expect(recreated.metadata.labels).toEqual(widget.metadata.labels);
    }
  });

  it('get -o json is the same manifest; a Deployment comes with metadata and its stored bytes; raw is exact', async () => {
    const key = `/registry/deployments/${ns}/web`;
    const [stored] = await etcdctlKvs(cp, [key, `--rev=${revision}`]);
    const yaml = (await ok(['snapshot', 'get', file, key])).out;
    const doc = parse(yaml) as KubernetesObject;
    expect(doc.metadata.name).toBe('web');
    expect(doc.metadata.uid).toBe(created.get('deployment')!.metadata.uid);
    expect((doc[storedValueField] as { base64: string }).base64).toBe(stored!.value);
    const raw = await ok(['snapshot', 'get', file, key, '-o', 'raw']);
    expect(raw.bytes.equals(Buffer.from(stored!.value, 'base64'))).toBe(true);

    const json = JSON.parse(
      (await ok(['snapshot', 'get', file, `/registry/secrets/${ns}/db-creds`, '-o', 'json'])).out,
    );
    expect(json).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-creds', namespace: ns, labels: { app: 'shop' } },
      data: secret.data,
      type: 'Opaque',
    });
  });

  it('get of a key that is not there is not-found and points at ls', async () => {
    const result = await cli(['snapshot', 'get', file, `/registry/configmaps/${ns}/nope`]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `lifeboat: not-found: no live key "/registry/configmaps/${ns}/nope" in ${file} (never written, or deleted before the snapshot); list the keys with "lifeboat snapshot ls ${file} --prefix /registry/configmaps/${ns}/"\n`,
    );
  });

  it('export has one line per key etcd serves at the snapshot revision, with the same values and revisions', async () => {
    const keysOnly = await cp.etcd.etcdctl(['get', '', '--prefix', '--keys-only', `--rev=${revision}`]);
    const count = keysOnly.split('\n').filter((line) => line !== '').length;
    const { out } = await ok(['snapshot', 'export', file]);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(count);
    const records = lines.map(
      (l) =>
        JSON.parse(l) as {
          key: string;
          value: string;
          createRevision: number;
          modRevision: number;
          version: number;
          lease?: string;
          object?: KubernetesObject;
          encoding: string;
        },
    );

    // Every key, value, revision and lease equals what etcd itself serves at that revision.
    const etcd = await etcdctlKvs(cp, ['', '--prefix', `--rev=${revision}`]);
    const want = etcd
      .map((kv) => ({
        key: Buffer.from(kv.key, 'base64').toString('utf8'),
        value: kv.value ?? '',
        createRevision: kv.create_revision,
        modRevision: kv.mod_revision,
        version: kv.version,
        ...(kv.lease && kv.lease !== '0' ? { lease: BigInt(kv.lease).toString(16) } : {}),
      }))
      .sort((a, b) => a.modRevision - b.modRevision);
    const got = records.map(({ key, value, createRevision, modRevision, version, lease }) => ({
      key,
      value,
      createRevision,
      modRevision,
      version,
      ...(lease ? { lease } : {}),
    }));
    expect(got).toEqual(want);
    expect(got.some((r) => r.lease)).toBe(true); // the apiserver's leases carry etcd leases

    const byKey = new Map(records.map((r) => [r.key, r]));
    const cm = byKey.get(`/registry/configmaps/${ns}/settings`)!;
    expect(cm.object).toMatchObject({
      kind: 'ConfigMap',
      data: configMap.data,
      binaryData: configMap.binaryData,
    });
    expect(cm.object!.metadata.uid).toBe(created.get('configmap')!.metadata.uid);
    expect(byKey.get(`/registry/${group}/widgets/${ns}/blue`)!.object).toMatchObject({ spec: widget.spec });

    // --prefix: the same records, only those under it.
    const some = (await ok(['snapshot', 'export', file, '--prefix', `/registry/secrets/${ns}/`])).out;
    expect(
      some
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).key),
    ).toEqual(records.filter((r) => r.key.startsWith(`/registry/secrets/${ns}/`)).map((r) => r.key));
  });

  it('export --all-revisions holds every revision the snapshot kept', async () => {
    const { out } = await ok(['snapshot', 'export', file, '--all-revisions', '--prefix', '/registry/']);
    const records = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; modRevision: number });
    const live = (await ok(['snapshot', 'export', file, '--prefix', '/registry/'])).out.trimEnd().split('\n');
    expect(records.length).toBeGreaterThan(live.length); // leases are rewritten every few seconds
    expect(records.map((r) => r.modRevision)).toEqual(
      [...records.map((r) => r.modRevision)].sort((a, b) => a - b),
    );
    expect(records.at(-1)!.modRevision).toBeLessThanOrEqual(revision);
  });
});
