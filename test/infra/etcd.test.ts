import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, etcdctlEnv, etcdVersions, startEtcd } from './etcd.ts';

const run = promisify(execFile);

describe.each(etcdVersions)('etcd %s with kubeadm TLS', (version) => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ version });
  });
  afterAll(() => cluster?.stop());

  it('answers over TLS with the healthcheck client certificate', async () => {
    await cluster.etcdctl(['put', '/registry/test/a', 'hello']);
    expect((await cluster.etcdctl(['get', '/registry/test/a', '--print-value-only'])).trim()).toBe('hello');
    const status = JSON.parse(await cluster.etcdctl(['endpoint', 'status', '-w', 'json']));
    expect(status[0].Status.version).toBe(cluster.serverVersion);
    expect(cluster.serverVersion.startsWith(`${version}.`)).toBe(true);
  });

  it('refuses a client without a certificate', async () => {
    const attempt = run(
      cluster.bin.etcdctl,
      [
        `--endpoints=${cluster.endpoints[0]}`,
        `--cacert=${cluster.tls.cacert}`,
        '--dial-timeout=2s',
        '--command-timeout=3s',
        'get',
        'x',
      ],
      { env: etcdctlEnv(version) },
    );
    await expect(attempt).rejects.toThrow(/certificate|handshake|deadline|context/i);
  });

  it('writes a kubeadm etcd.yaml that names the ports it really listens on', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = await readFile(cluster.members[0]!.tree.etcdManifest, 'utf8');
    expect(manifest).toContain(`--listen-client-urls=${cluster.endpoints[0]}`);
    expect(manifest).toContain('--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt');
    expect(manifest).toContain(`image: registry.k8s.io/etcd:${cluster.serverVersion}-0`);
  });
});

describe('a three-member etcd 3.6 cluster', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ version: '3.6', members: 3 });
  });
  afterAll(() => cluster?.stop());

  it('forms one cluster that every member serves', async () => {
    const members = JSON.parse(await cluster.etcdctl(['member', 'list', '-w', 'json']));
    expect(members.members.map((m: { name: string }) => m.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    await cluster.etcdctl(['put', 'k', 'v'], { endpoints: [cluster.endpoints[0]!] });
    const read = await cluster.etcdctl(['get', 'k', '--print-value-only', '--consistency=l'], {
      endpoints: [cluster.endpoints[2]!],
    });
    expect(read.trim()).toBe('v');
  });
});
