import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clientEndpoints,
  discoverConnection,
  hostPath,
  parseEtcdManifest,
  parseFlags,
} from '../src/index.ts';

const fixture = (name: string) => readFile(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('kubeadm etcd.yaml', () => {
  it('yields the first member of a new cluster', async () => {
    const m = parseEtcdManifest(await fixture('kubeadm-etcd.yaml'));
    expect(m.name).toBe('cp-1');
    expect(m.dataDir).toBe('/var/lib/etcd');
    expect(m.initialCluster).toEqual([{ name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' }]);
    expect(m.initialClusterState).toBe('new');
    expect(m.trustedCaFile).toBe('/etc/kubernetes/pki/etcd/ca.crt');
    expect(m.image).toBe('registry.k8s.io/etcd:3.5.15-0');
    expect(clientEndpoints(m)).toEqual(['https://127.0.0.1:2379', 'https://10.0.0.11:2379']);
  });

  it('yields all three members of a joined node', async () => {
    const m = parseEtcdManifest(await fixture('kubeadm-etcd-joined.yaml'));
    expect(m.name).toBe('cp-2');
    expect(m.initialClusterState).toBe('existing');
    expect(m.initialCluster.map((x) => x.name)).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(m.initialCluster[2]).toEqual({ name: 'cp-3', peerUrl: 'https://10.0.0.13:2380' });
  });

  it('survives admin edits: comments, reordered keys, args, "--k v" flags, a sidecar', async () => {
    const edited = `# edited by ops, see TICKET-42
kind: Pod
apiVersion: v1
spec:
  containers:
  - name: backup-sidecar   # not etcd
    image: busybox
    command: [sh, -c, "sleep inf"]
  - image: registry.k8s.io/etcd:3.6.4-0
    name: etcd
    command: [etcd]
    args:
    - --name
    - cp-9
    - --listen-client-urls=https://0.0.0.0:2379
    - --data-dir=/data/etcd-old
    - --data-dir=/data/etcd   # the last one wins
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
`;
    const m = parseEtcdManifest(edited);
    expect(m.name).toBe('cp-9');
    expect(m.dataDir).toBe('/data/etcd');
    expect(clientEndpoints(m)).toEqual(['https://127.0.0.1:2379']);
    expect(m.initialCluster).toEqual([{ name: 'cp-9', peerUrl: 'http://localhost:2380' }]);
  });

  it.each([
    ['kind: Pod\nspec: {}', /no spec.containers/],
    ['spec:\n  containers:\n  - name: nginx\n    command: [nginx]', /no container named "etcd"/],
    ['spec: [', /not valid YAML/],
    ['spec:\n  containers:\n  - name: etcd\n    command: [etcd, --initial-cluster=oops]', /not name=peerURL/],
  ])('refuses a broken manifest with the reason (%#)', (text, reason) => {
    expect(() => parseEtcdManifest(text, 'etcd.yaml')).toThrow(reason);
  });

  it('parses flag forms the way etcd does', () => {
    expect(parseFlags(['etcd', '--a=1', '--b', '2', '--c', '--d=x=y'])).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
        ['c', 'true'],
        ['d', 'x=y'],
      ]),
    );
  });
});

describe('connection discovery', () => {
  it('prefers healthcheck-client, falls back to apiserver-etcd-client, and maps paths into the mounted tree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-discovery-'));
    const m = parseEtcdManifest(await fixture('kubeadm-etcd.yaml'));
    await expect(discoverConnection(m, dir)).rejects.toThrow(/no etcd client certificate/);

    await mkdir(join(dir, 'pki/etcd'), { recursive: true });
    await writeFile(join(dir, 'pki/apiserver-etcd-client.crt'), 'c');
    await writeFile(join(dir, 'pki/apiserver-etcd-client.key'), 'k');
    expect(await discoverConnection(m, dir)).toEqual({
      endpoints: ['https://127.0.0.1:2379', 'https://10.0.0.11:2379'],
      cacert: join(dir, 'pki/etcd/ca.crt'),
      cert: join(dir, 'pki/apiserver-etcd-client.crt'),
      key: join(dir, 'pki/apiserver-etcd-client.key'),
    });

    await writeFile(join(dir, 'pki/etcd/healthcheck-client.crt'), 'c');
    await writeFile(join(dir, 'pki/etcd/healthcheck-client.key'), 'k');
    expect((await discoverConnection(m, dir)).cert).toBe(join(dir, 'pki/etcd/healthcheck-client.crt'));
  });

  it('leaves paths outside /etc/kubernetes alone', () => {
    expect(hostPath('/etc/kubernetes/pki/etcd/ca.crt', '/host/k8s')).toBe('/host/k8s/pki/etcd/ca.crt');
    expect(hostPath('/opt/certs/ca.crt', '/host/k8s')).toBe('/opt/certs/ca.crt');
  });
});
