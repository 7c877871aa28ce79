// Objects written by a real kube-apiserver, read back from etcd's raw values
// and decoded by @lifeboat/etcd; exported manifests recreate equal objects
// through the API (create and server-side apply); encryption at rest and a
// non-default --etcd-prefix are recognised.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '@lifeboat/core';
import {
  decodeObject,
  decodeValue,
  exportValue,
  type KubernetesObject,
  type ObjectSummary,
  storedValueField,
  summarize,
} from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KubeApiserver, startControlPlane } from '../infra/index.ts';

interface KeyValue {
  key: string;
  value: Buffer;
}

/** `etcdctl get -w json`: keys and values come base64-encoded. */
async function etcdGet(cp: KubeApiserver, args: string[]): Promise<KeyValue[]> {
  const out = JSON.parse(await cp.etcd.etcdctl(['get', ...args, '-w', 'json'])) as {
    kvs?: { key: string; value: string }[];
  };
  return (out.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('utf8'),
    value: Buffer.from(kv.value, 'base64'),
  }));
}

async function etcdValue(cp: KubeApiserver, key: string): Promise<Buffer> {
  const [kv] = await etcdGet(cp, [key]);
  if (!kv) throw new Error(`${key} is not in etcd`);
  return kv.value;
}

async function api<T = KubernetesObject>(
  cp: KubeApiserver,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<{ status: number; body: string; json: () => T }> {
  const res = await cp.admin.call(method, `${cp.url}${path}`, body, contentType);
  return { status: res.status, body: res.body, json: () => res.json<T>() };
}

async function mustApi(
  cp: KubeApiserver,
  method: string,
  path: string,
  body?: unknown,
): Promise<KubernetesObject> {
  const res = await api(cp, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  return res.json();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What etcd holds is what the API serves, minus resourceVersion (etcd's mod revision). */
function withoutResourceVersion(object: KubernetesObject): KubernetesObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** The user-owned content of an object, for comparing a recreated one with its original. */
function content(object: KubernetesObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = object;
  const annotations = { ...metadata.annotations };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    ...rest,
    name: metadata.name,
    namespace: metadata.namespace,
    labels: metadata.labels ?? {},
    annotations,
    finalizers: metadata.finalizers ?? [],
  };
}

const ns = 'lifeboat-e2e';
const group = 'example.lifeboat.dev';
const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);

const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: ns,
    labels: { app: 'lifeboat', tier: 'on' },
    annotations: {
      note: 'restored from etcd',
      'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ConfigMap"}',
    },
  },
  // Strings a YAML 1.1 reader (kubectl) would turn into booleans or numbers if left unquoted.
  data: { enabled: 'yes', off: 'off', duration: '1:20', mode: '0755', multi: 'line 1\nline 2\n', empty: '' },
  binaryData: { blob: binary.toString('base64') },
};

const opaqueSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: ns, labels: { app: 'lifeboat' } },
  type: 'Opaque',
  data: { username: Buffer.from('admin').toString('base64'), key: binary.toString('base64') },
};

const tlsSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'tls', namespace: ns, annotations: { 'cert-manager.io/issuer': 'ca' } },
  type: 'kubernetes.io/tls',
  data: {
    'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
      'base64',
    ),
    'tls.key': Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n').toString(
      'base64',
    ),
  },
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

function crd(plural: string, kind: string, scope: 'Namespaced' | 'Cluster') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer' }, color: { type: 'string' } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

const widget = {
  apiVersion: `${group}/v1`,
  kind: 'Widget',
  metadata: {
    name: 'blue',
    namespace: ns,
    labels: { shade: 'dark' },
    finalizers: ['example.lifeboat.dev/keep'],
  },
  spec: { size: 3, color: 'yes' },
};

const gadget = {
  apiVersion: `${group}/v1`,
  kind: 'Gadget',
  metadata: { name: 'global', annotations: { owner: 'platform' } },
  spec: { size: 1, color: 'red' },
};

interface Case {
  title: string;
  key: string;
  collection: string;
  object: KubernetesObject;
}

const cases: Case[] = [
  {
    title: 'ConfigMap (data + binaryData)',
    key: `/registry/configmaps/${ns}/settings`,
    collection: `/api/v1/namespaces/${ns}/configmaps`,
    object: configMap,
  },
  {
    title: 'Opaque Secret',
    key: `/registry/secrets/${ns}/creds`,
    collection: `/api/v1/namespaces/${ns}/secrets`,
    object: opaqueSecret,
  },
  {
    title: 'TLS Secret',
    key: `/registry/secrets/${ns}/tls`,
    collection: `/api/v1/namespaces/${ns}/secrets`,
    object: tlsSecret,
  },
  {
    title: 'namespaced custom resource',
    key: `/registry/${group}/widgets/${ns}/blue`,
    collection: `/apis/${group}/v1/namespaces/${ns}/widgets`,
    object: widget,
  },
  {
    title: 'cluster-scoped custom resource',
    key: `/registry/${group}/gadgets/global`,
    collection: `/apis/${group}/v1/gadgets`,
    object: gadget,
  },
];

describe('Kubernetes objects stored by kube-apiserver', () => {
  let cp: KubeApiserver;
  /** The objects as the API served them right after creation. */
  const created = new Map<string, KubernetesObject>();

  beforeAll(async () => {
    cp = await startControlPlane();
    await mustApi(cp, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    for (const def of [crd('widgets', 'Widget', 'Namespaced'), crd('gadgets', 'Gadget', 'Cluster')]) {
      await mustApi(cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', def);
    }
    await until('the CRDs to be served', async () => {
      const a = await api(cp, 'GET', `/apis/${group}/v1/namespaces/${ns}/widgets`);
      const b = await api(cp, 'GET', `/apis/${group}/v1/gadgets`);
      return a.status === 200 && b.status === 200;
    });
    for (const c of cases) created.set(c.key, await mustApi(cp, 'POST', c.collection, c.object));
    created.set(
      `/registry/deployments/${ns}/web`,
      await mustApi(cp, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment),
    );
    // Services and Endpoints share the services/ folder in etcd.
    await mustApi(cp, 'POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80 }] },
    });
    await mustApi(cp, 'POST', `/api/v1/namespaces/${ns}/endpoints`, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web-manual' },
      subsets: [{ addresses: [{ ip: '10.0.0.7' }], ports: [{ port: 80 }] }],
    });
  }, 240_000);
  afterAll(() => cp?.stop());

  it.each(cases)('decodes the stored $title exactly as the API serves it', async ({ key, object }) => {
    const value = await etcdValue(cp, key);
    const served = created.get(key)!;
    const decoded = decodeValue(value);
    expect(decoded.encoding).toBe(object.apiVersion === 'v1' ? 'protobuf' : 'json');
    expect(decoded.apiVersion).toBe(object.apiVersion);
    expect(decoded.kind).toBe(object.kind);
    expect(decoded.metadata?.name).toBe(object.metadata.name);
    expect(decoded.metadata?.namespace).toBe(object.metadata.namespace);
    expect(decoded.metadata?.uid).toBe(served.metadata.uid);
    const full = decodeObject(value);
    expect(full.complete).toBe(true);
    // Every field, incl. creationTimestamp, managedFields and binary data, as the API's JSON.
    expect(full.object).toEqual(withoutResourceVersion(served));
  });

  it('decodes a Deployment to its metadata and keeps the stored bytes in the export', async () => {
    const key = `/registry/deployments/${ns}/web`;
    const value = await etcdValue(cp, key);
    const served = created.get(key)!;
    const decoded = decodeObject(value);
    expect(decoded.complete).toBe(false);
    expect(decoded.object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: withoutResourceVersion(served).metadata,
    });
    const yaml = exportValue(value, 'yaml');
    expect(yaml).toMatch(/^# Deployment \(apps\/v1\) is stored as protobuf/);
    const doc = parse(yaml) as Record<string, { base64: string }>;
    expect(Buffer.from(doc[storedValueField]!.base64, 'base64').equals(value)).toBe(true);
    // Applying it would create a Deployment without a spec: strict field validation refuses it.
    const { metadata, ...partial } = doc as unknown as KubernetesObject;
    const res = await api(cp, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments?fieldValidation=Strict`, {
      ...partial,
      metadata: { name: 'web-copy', namespace: metadata.namespace },
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain(storedValueField);
  });

  it('lists every key kube-apiserver wrote, consistent with the API discovery and the metadata', async () => {
    const kvs = await etcdGet(cp, ['', '--from-key']);
    const summaries = kvs.map((kv) => summarize(kv.key, kv.value));
    expect(summaries.length).toBeGreaterThan(50);
    expect(summaries.filter((s) => s.error !== undefined)).toEqual([]);
    expect(summaries.filter((s) => s.type === 'other')).toEqual([]);

    // (group, resource) -> kind, from the server's own discovery documents.
    const kinds = new Map<string, string>();
    const addResources = async (path: string, groupName: string) => {
      const list = (await mustApi(cp, 'GET', path)) as unknown as {
        resources: { name: string; kind: string }[];
      };
      for (const r of list.resources) if (!r.name.includes('/')) kinds.set(`${groupName}/${r.name}`, r.kind);
    };
    await addResources('/api/v1', '');
    const groups = (await mustApi(cp, 'GET', '/apis')) as unknown as {
      groups: { name: string; versions: { groupVersion: string }[] }[];
    };
    for (const g of groups.groups)
      for (const v of g.versions) await addResources(`/apis/${v.groupVersion}`, g.name);

    const objects = summaries.filter((s) => s.type === 'object');
    for (const [i, s] of summaries.entries()) {
      if (s.type !== 'object') continue;
      const meta = decodeValue(kvs[i]!.value).metadata!;
      expect({ key: s.key, name: s.name, namespace: s.namespace }).toEqual({
        key: s.key,
        name: meta.name,
        namespace: meta.namespace,
      });
      expect({ key: s.key, kind: kinds.get(`${s.group}/${s.resource}`) }).toEqual({
        key: s.key,
        kind: s.kind,
      });
      const apiGroup = s.apiVersion!.includes('/') ? s.apiVersion!.split('/')[0] : '';
      expect({ key: s.key, group: s.group }).toEqual({ key: s.key, group: apiGroup });
    }

    const byKey = new Map(summaries.map((s) => [s.key, s]));
    const pick = (s: ObjectSummary | undefined) => s && { ...s, size: undefined };
    expect(pick(byKey.get(`/registry/deployments/${ns}/web`))).toEqual({
      key: `/registry/deployments/${ns}/web`,
      type: 'object',
      resource: 'deployments',
      group: 'apps',
      namespace: ns,
      name: 'web',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      size: undefined,
      encoding: 'protobuf',
    });
    expect(pick(byKey.get(`/registry/${group}/gadgets/global`))).toMatchObject({
      resource: 'gadgets',
      group,
      name: 'global',
      kind: 'Gadget',
      encoding: 'json',
    });
    expect(byKey.get(`/registry/${group}/gadgets/global`)!.namespace).toBeUndefined();
    expect(byKey.get(`/registry/services/specs/${ns}/web`)).toMatchObject({
      resource: 'services',
      group: '',
      namespace: ns,
      name: 'web',
      kind: 'Service',
    });
    expect(byKey.get(`/registry/services/endpoints/${ns}/web-manual`)).toMatchObject({
      resource: 'endpoints',
      namespace: ns,
      name: 'web-manual',
      kind: 'Endpoints',
    });
    expect(byKey.get('/registry/ipaddresses/10.96.0.1')).toMatchObject({
      name: '10.96.0.1',
      kind: 'IPAddress',
    });
    expect(byKey.get('/registry/apiregistration.k8s.io/apiservices/v1.apps')).toMatchObject({
      type: 'object',
      group: 'apiregistration.k8s.io',
      resource: 'apiservices',
      name: 'v1.apps',
      kind: 'APIService',
      encoding: 'json',
    });
    expect(
      byKey.get(`/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.${group}`),
    ).toMatchObject({
      kind: 'CustomResourceDefinition',
      encoding: 'json',
    });
    // 1.35 allocates service IPs as IPAddress objects; node ports still use a range.
    expect(byKey.get('/registry/ranges/servicenodeports')).toMatchObject({
      type: 'internal',
      name: 'servicenodeports',
      kind: 'RangeAllocation',
    });
    expect(byKey.get('/registry/masterleases/127.0.0.1')).toMatchObject({
      type: 'internal',
      name: '127.0.0.1',
    });
    expect(objects.length).toBeGreaterThan(40);
  });

  it.each(cases)(
    'exports the $title as YAML that recreates it (create, then server-side apply)',
    async (c) => {
      const original = created.get(c.key)!;
      const name = c.object.metadata.name!;
      const yaml = exportValue(await etcdValue(cp, c.key), 'yaml');
      for (const field of [
        'uid:',
        'creationTimestamp:',
        'managedFields:',
        'resourceVersion:',
        'last-applied',
      ]) {
        expect(yaml).not.toContain(field);
      }

      const remove = async () => {
        if (c.object.metadata.finalizers) {
          // No controller runs here to clear the finalizer: drop it so the delete completes.
          await api(
            cp,
            'PATCH',
            `${c.collection}/${name}`,
            [{ op: 'remove', path: '/metadata/finalizers' }],
            'application/json-patch+json',
          );
        }
        expect((await api(cp, 'DELETE', `${c.collection}/${name}`)).status).toBe(200);
        await until(
          `${name} to be deleted`,
          async () => (await api(cp, 'GET', `${c.collection}/${name}`)).status === 404,
        );
      };

      // kubectl apply's create path: the manifest parsed as a YAML 1.1 reader would, then POSTed.
      await remove();
      const posted = await api(cp, 'POST', c.collection, parse(yaml, { version: '1.1' }));
      expect(posted.status, posted.body).toBe(201);
      const recreated = await mustApi(cp, 'GET', `${c.collection}/${name}`);
      expect(recreated.metadata.uid).not.toBe(original.metadata.uid);
      expect(content(recreated)).toEqual(content(original));

      // Server-side apply with the YAML text itself, parsed by the server (sigs.k8s.io/yaml).
      await remove();
      const applied = await api(
        cp,
        'PATCH',
        `${c.collection}/${name}?fieldManager=lifeboat`,
        yaml,
        'application/apply-patch+yaml',
      );
      expect(applied.status, applied.body).toBe(201);
      const reapplied = await mustApi(cp, 'GET', `${c.collection}/${name}`);
      expect(content(reapplied)).toEqual(content(original));
      expect(reapplied.metadata.managedFields?.map((m) => m.manager)).toContain('lifeboat');
    },
  );

  it('exports JSON with the same stripping, and raw as the stored bytes', async () => {
    const key = `/registry/secrets/${ns}/creds`;
    const value = await etcdValue(cp, key);
    const json = JSON.parse(exportValue(value, 'json')) as KubernetesObject;
    expect(json.metadata).toEqual({ name: 'creds', namespace: ns, labels: { app: 'lifeboat' } });
    expect(json['data']).toEqual(opaqueSecret.data);
    expect(Buffer.from(exportValue(value, 'raw')).equals(value)).toBe(true);
  });
});

describe('values encrypted at rest, under a non-default --etcd-prefix', () => {
  const prefix = '/lifeboat-e2e/registry';
  let cp: KubeApiserver;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-encryption-'));
    const key = () => randomBytes(32).toString('base64');
    const config = [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: EncryptionConfiguration',
      'resources:',
      '  - resources: [secrets]',
      '    providers:',
      `      - aescbc: {keys: [{name: key1, secret: ${key()}}]}`,
      '      - identity: {}',
      '  - resources: [configmaps]',
      '    providers:',
      `      - secretbox: {keys: [{name: box-2026, secret: ${key()}}]}`,
      '  - resources: [limitranges]',
      '    providers:',
      `      - aesgcm: {keys: [{name: gcm1, secret: ${key()}}]}`,
    ].join('\n');
    await writeFile(join(dir, 'encryption.yaml'), config, { mode: 0o600 });
    cp = await startControlPlane({
      extraArgs: [`--encryption-provider-config=${join(dir, 'encryption.yaml')}`, `--etcd-prefix=${prefix}`],
    });
    await mustApi(cp, 'POST', '/api/v1/namespaces/default/secrets', {
      ...opaqueSecret,
      metadata: { name: 'sealed', namespace: 'default' },
    });
    await mustApi(cp, 'POST', '/api/v1/namespaces/default/configmaps', {
      ...configMap,
      metadata: { name: 'boxed', namespace: 'default' },
    });
    await mustApi(cp, 'POST', '/api/v1/namespaces/default/limitranges', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'limits', namespace: 'default' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] },
    });
  }, 240_000);
  afterAll(async () => {
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['secrets', 'sealed', 'aescbc', 'key1'],
    ['configmaps', 'boxed', 'secretbox', 'box-2026'],
    ['limitranges', 'limits', 'aesgcm', 'gcm1'],
  ])('reports %s encrypted with %s', async (resource, name, provider, keyName) => {
    const key = `${prefix}/${resource}/default/${name}`;
    const value = await etcdValue(cp, key);
    expect(value.includes(Buffer.from('admin'))).toBe(false);
    expect(summarize(key, value, { prefix })).toEqual({
      key,
      type: 'object',
      resource,
      group: '',
      namespace: 'default',
      name,
      size: value.length,
      encoding: 'encrypted',
      provider,
      keyName,
    });
    expect(decodeValue(value).encryption?.providerVersion).toBe('v1');
    let error: unknown;
    try {
      exportValue(value, 'yaml');
    } catch (err) {
      error = err;
    }
    expect(isLifeboatError(error, 'crypto')).toBe(true);
    expect((error as Error).message).toContain(`${provider} v1, key '${keyName}'`);
    expect(Buffer.from(exportValue(value, 'raw')).equals(value)).toBe(true);
  });

  it('classifies every key under the custom prefix, and none under the default one', async () => {
    const kvs = await etcdGet(cp, ['', '--from-key']);
    const custom = kvs.map((kv) => summarize(kv.key, kv.value, { prefix }));
    expect(custom.filter((s) => s.type === 'other' || s.error)).toEqual([]);
    expect(custom.filter((s) => s.type === 'object').length).toBeGreaterThan(40);
    const asDefault = kvs.map((kv) => summarize(kv.key, kv.value));
    expect(asDefault.filter((s) => s.type === 'object')).toEqual([]);
  });
});
