// Fills a test etcd with Kubernetes-shaped data to a target database size:
// the keys kube-apiserver uses (/registry/<resource>/<namespace>/<name>),
// protobuf envelopes for built-in kinds and JSON for custom resources, with
// sizes like real clusters (small Secrets, larger ConfigMaps, a few big ones).
// Writes go through etcd's gRPC JSON gateway with the client certificate.
import { randomBytes } from 'node:crypto';
import type { EtcdCluster } from './etcd.ts';
import { httpsClient } from './https.ts';
import { k8sEnvelope, mapField, message, objectMeta } from './protobuf.ts';

/** Deterministic pseudo-random numbers (mulberry32), so a seed gives the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedObject {
  key: string;
  value: Buffer;
  kind: string;
  namespace: string;
  name: string;
}

const lorem = 'apiVersion kind metadata spec replicas selector template containers image resources limits ';

export function* kubernetesObjects(seed = 1): Generator<GeneratedObject> {
  const rand = random(seed);
  const text = (bytes: number) => lorem.repeat(Math.ceil(bytes / lorem.length)).slice(0, bytes);
  const uid = () => {
    const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const created = new Date('2026-01-01T00:00:00Z');
  for (let i = 0; ; i++) {
    const namespace = `team-${String(i % 40).padStart(2, '0')}`;
    const labels = { app: `svc-${i % 97}`, 'app.kubernetes.io/part-of': namespace };
    const pick = rand();
    if (i < 40) {
      const meta = objectMeta({ name: namespace, uid: uid(), creationTimestamp: created, labels });
      yield {
        key: `/registry/namespaces/${namespace}`,
        value: k8sEnvelope('v1', 'Namespace', message([[1, 'message', meta]])),
        kind: 'Namespace',
        namespace: '',
        name: namespace,
      };
      continue;
    }
    if (pick < 0.35) {
      const name = `config-${i}`;
      // Mostly a few KiB; one in fifty is a large bundle of config (up to ~400 KiB).
      const size = rand() < 0.02 ? 100_000 + Math.floor(rand() * 300_000) : 500 + Math.floor(rand() * 12_000);
      const meta = objectMeta({ name, namespace, uid: uid(), creationTimestamp: created, labels });
      yield {
        key: `/registry/configmaps/${namespace}/${name}`,
        value: k8sEnvelope(
          'v1',
          'ConfigMap',
          message([[1, 'message', meta], ...mapField(2, { 'config.yaml': text(size) })]),
        ),
        kind: 'ConfigMap',
        namespace,
        name,
      };
    } else if (pick < 0.65) {
      const name = `secret-${i}`;
      const meta = objectMeta({ name, namespace, uid: uid(), creationTimestamp: created, labels });
      const data = { 'tls.crt': randomBytes(1200 + Math.floor(rand() * 800)), 'tls.key': randomBytes(1700) };
      yield {
        key: `/registry/secrets/${namespace}/${name}`,
        value: k8sEnvelope(
          'v1',
          'Secret',
          message([[1, 'message', meta], ...mapField(2, data), [3, 'string', 'kubernetes.io/tls']]),
        ),
        kind: 'Secret',
        namespace,
        name,
      };
    } else if (pick < 0.85) {
      const name = `deploy-${i}`;
      const meta = objectMeta({
        name,
        namespace,
        uid: uid(),
        creationTimestamp: created,
        labels,
        generation: 1,
      });
      const container = message([
        [1, 'string', 'app'],
        [2, 'string', `registry.example.com/${namespace}/app:v${i % 13}`],
        [3, 'string', text(200 + Math.floor(rand() * 3000))],
      ]);
      const podSpec = message([[2, 'message', container]]);
      const template = message([
        [1, 'message', objectMeta({ name: '', uid: '', creationTimestamp: created, labels })],
        [2, 'message', podSpec],
      ]);
      const spec = message([
        [1, 'varint', 1 + (i % 5)],
        [2, 'message', message(mapField(1, labels))],
        [3, 'message', template],
      ]);
      yield {
        key: `/registry/deployments/${namespace}/${name}`,
        value: k8sEnvelope(
          'apps/v1',
          'Deployment',
          message([
            [1, 'message', meta],
            [2, 'message', spec],
          ]),
        ),
        kind: 'Deployment',
        namespace,
        name,
      };
    } else {
      const name = `widget-${i}`;
      const object = {
        apiVersion: 'example.lifeboat.dev/v1',
        kind: 'Widget',
        metadata: {
          name,
          namespace,
          uid: uid(),
          generation: 1,
          creationTimestamp: created.toISOString().replace('.000', ''),
          labels,
        },
        spec: { size: Math.floor(rand() * 100), notes: text(300 + Math.floor(rand() * 8000)) },
      };
      yield {
        key: `/registry/example.lifeboat.dev/widgets/${namespace}/${name}`,
        value: Buffer.from(`${JSON.stringify(object)}\n`),
        kind: 'Widget',
        namespace,
        name,
      };
    }
  }
}

export interface FillResult {
  keys: number;
  valueBytes: number;
  dbSize: number;
}

/** Puts generated objects until etcd reports a database of at least targetBytes. */
export async function fillEtcd(
  cluster: EtcdCluster,
  options: { targetBytes: number; seed?: number; onProgress?: (r: FillResult) => void },
): Promise<FillResult> {
  const client = httpsClient(cluster.tls);
  const endpoint = cluster.endpoints[0]!;
  const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
  const dbSize = async () => {
    const res = await client.call('POST', `${endpoint}/v3/maintenance/status`, {});
    return Number(res.json<{ dbSize: string }>().dbSize);
  };
  const objects = kubernetesObjects(options.seed ?? 1);
  const result: FillResult = { keys: 0, valueBytes: 0, dbSize: await dbSize() };
  try {
    while (result.dbSize < options.targetBytes) {
      // A batch of concurrent puts, then a look at the real database size.
      const batch = Array.from({ length: 256 }, () => objects.next().value as { key: string; value: Buffer });
      for (let i = 0; i < batch.length; i += 16) {
        await Promise.all(
          batch.slice(i, i + 16).map(async ({ key, value }) => {
            const res = await client.call('POST', `${endpoint}/v3/kv/put`, {
              key: b64(key),
              value: b64(value),
            });
            if (res.status !== 200) throw new Error(`etcd put ${key} failed: ${res.status} ${res.body}`);
            result.keys++;
            result.valueBytes += value.length;
          }),
        );
      }
      result.dbSize = await dbSize();
      options.onProgress?.(result);
    }
  } finally {
    client.close();
  }
  return result;
}
