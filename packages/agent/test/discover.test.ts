import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discover, discoverEtcd, kubernetesDirFrom, runCli } from '../src/index.ts';
import { kubeadmTree, memoryIo } from './helpers.ts';

const trees: string[] = [];
async function tree(certs?: readonly string[]): Promise<string> {
  const dir = await kubeadmTree(certs);
  trees.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(trees.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('discover', () => {
  it('prints the connection from a kubeadm tree as JSON', async () => {
    const dir = await tree();
    const io = memoryIo();
    expect(await discover({ kubernetesDir: dir, output: 'json' }, io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      manifest: join(dir, 'manifests/etcd.yaml'),
      endpoints: ['https://127.0.0.1:2379', 'https://10.0.0.11:2379'],
      cacert: join(dir, 'pki/etcd/ca.crt'),
      cert: join(dir, 'pki/etcd/healthcheck-client.crt'),
      key: join(dir, 'pki/etcd/healthcheck-client.key'),
      memberName: 'cp-1',
      dataDir: '/var/lib/etcd',
      initialCluster: [{ name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' }],
      initialClusterState: 'new',
      image: 'registry.k8s.io/etcd:3.5.15-0',
    });
    expect(io.err()).toBe('');
  });

  it('prints a table for people', async () => {
    const dir = await tree();
    const io = memoryIo();
    expect(await discover({ kubernetesDir: dir, output: 'table' }, io)).toBe(0);
    const rows = Object.fromEntries(
      io
        .out()
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s{2,}/) as [string, string]),
    );
    expect(rows).toMatchObject({
      endpoints: 'https://127.0.0.1:2379, https://10.0.0.11:2379',
      cacert: join(dir, 'pki/etcd/ca.crt'),
      cert: join(dir, 'pki/etcd/healthcheck-client.crt'),
      key: join(dir, 'pki/etcd/healthcheck-client.key'),
      'member name': 'cp-1',
      'data dir': '/var/lib/etcd',
      'initial cluster': 'cp-1=https://10.0.0.11:2380',
    });
  });

  it("falls back to the apiserver's etcd client certificate", async () => {
    const dir = await tree([
      'pki/etcd/ca.crt',
      'pki/apiserver-etcd-client.crt',
      'pki/apiserver-etcd-client.key',
    ]);
    const found = await discoverEtcd(dir);
    expect(found.cert).toBe(join(dir, 'pki/apiserver-etcd-client.crt'));
    expect(found.key).toBe(join(dir, 'pki/apiserver-etcd-client.key'));
  });

  it('takes the directory from the flag, then LIFEBOAT_KUBERNETES_DIR, then /etc/kubernetes', () => {
    expect(kubernetesDirFrom('/flag', { LIFEBOAT_KUBERNETES_DIR: '/env' })).toBe('/flag');
    expect(kubernetesDirFrom(undefined, { LIFEBOAT_KUBERNETES_DIR: '/env' })).toBe('/env');
    expect(kubernetesDirFrom(undefined, { LIFEBOAT_KUBERNETES_DIR: '' })).toBe('/etc/kubernetes');
    expect(kubernetesDirFrom(undefined, {})).toBe('/etc/kubernetes');
  });

  it('reads LIFEBOAT_KUBERNETES_DIR through the command line, and the flag beats it', async () => {
    const dir = await tree();
    const viaEnv = memoryIo({ LIFEBOAT_KUBERNETES_DIR: dir });
    expect(await runCli(['discover', '-o', 'json'], viaEnv)).toBe(0);
    expect(JSON.parse(viaEnv.out()).manifest).toBe(join(dir, 'manifests/etcd.yaml'));

    const viaFlag = memoryIo({ LIFEBOAT_KUBERNETES_DIR: '/nonexistent' });
    expect(await runCli(['discover', '--kubernetes-dir', dir, '--output=json'], viaFlag)).toBe(0);
    expect(JSON.parse(viaFlag.out()).manifest).toBe(join(dir, 'manifests/etcd.yaml'));
  });

  it('names the missing manifest and the flag to use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-empty-'));
    trees.push(dir);
    const io = memoryIo();
    expect(await runCli(['discover', '--kubernetes-dir', dir], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      `lifeboat: not-found: ${join(dir, 'manifests/etcd.yaml')} does not exist; point --kubernetes-dir (or LIFEBOAT_KUBERNETES_DIR) at the kubeadm directory that holds manifests/etcd.yaml\n`,
    );
  });

  it('says which certificates it looked for when none exist', async () => {
    const dir = await tree(['pki/etcd/ca.crt']);
    const io = memoryIo();
    expect(await runCli(['discover', '--kubernetes-dir', dir], io)).toBe(1);
    expect(io.err()).toMatch(/^lifeboat: config: no etcd client certificate in .*healthcheck-client.*\n$/);
  });

  it('reports a broken manifest in one line', async () => {
    const dir = await tree();
    await writeFile(join(dir, 'manifests/etcd.yaml'), 'spec: [\n  - a\n  b: :\n');
    const io = memoryIo();
    expect(await runCli(['discover', '--kubernetes-dir', dir], io)).toBe(1);
    expect(io.err()).toMatch(/^lifeboat: config: .*etcd\.yaml: not valid YAML/);
    expect(io.err().split('\n')).toHaveLength(2);
  });

  it.each([
    [['discover', '-o', 'yaml'], /^lifeboat: usage: -o yaml is not supported here; use table or json\n$/],
    [
      ['discover', '--kubernetes'],
      /^lifeboat: usage: unknown option '--kubernetes'; see "lifeboat discover --help"\n$/,
    ],
    [
      ['discover', '--kubernetes-dir'],
      /^lifeboat: usage: option '--kubernetes-dir <value>' argument missing/,
    ],
    [['discover', 'extra'], /^lifeboat: usage: "lifeboat discover" takes no arguments, got "extra"/],
  ])('refuses %j as a usage error (exit 2)', async (argv, reason) => {
    const io = memoryIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toMatch(reason);
    expect(io.out()).toBe('');
  });
});
