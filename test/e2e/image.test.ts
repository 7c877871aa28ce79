// Issue 6, "Image": the real images/agent/Dockerfile, built here without any
// registry (buildah bud, chroot isolation, vfs, on a local debootstrap + Node 24
// base), runs `lifeboat backup` inside the image the way the CronJob does: the
// node's kubeadm /etc/kubernetes mounted read-only at /etc/kubernetes (the tree's
// etcd.yaml names /etc/kubernetes/pki paths, so discovery works as on a node),
// public keys mounted read-only, an emptyDir at /tmp, store credentials in the
// environment, and the host's network (hostNetwork) to reach etcd on loopback.
// The backup is then listed complete and verified with a private key from the
// host, with the CLI from source. The first run builds the base (debootstrap, a
// few minutes) and the image; later runs reuse both while their inputs match.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltImage,
  buildAgentImage,
  type Container,
  exec,
  imageConfig,
  openContainer,
  pinned,
} from '../infra/image.ts';
import {
  createResticRepo,
  type EtcdCluster,
  fillEtcd,
  type Minio,
  type ResticRepo,
  startEtcd,
  startMinio,
} from '../infra/index.ts';
import { cliPath, type Keys, type Listed, MiB, makeKeys, type VerifyReport } from './backup-helpers.ts';

const runFile = promisify(execFile);

let dir: string;
let image: BuiltImage;
let etcd: EtcdCluster;
let minio: Minio;
let repo: ResticRepo;
let keys: Keys;
let ctr: Container;
let publicKeys: string;
let marker: string;

/** The CLI from source on the host, as an operator would run it. */
async function hostCli(args: string[], env: Record<string, string>) {
  const r = await exec(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    check: false,
  });
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`lifeboat ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** Volumes every run gets: the node's /etc/kubernetes (ro), the recipients' public keys (ro), /tmp. */
async function podVolumes(): Promise<string[]> {
  const emptyDir = await mkdtemp(join(dir, 'emptydir-'));
  return [
    `${etcd.members[0]!.tree.dir}:/etc/kubernetes:ro`,
    `${publicKeys}:/etc/lifeboat/recipients:ro`,
    `${emptyDir}:/tmp`,
  ];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-image-'));
  const started = Date.now();
  const building = buildAgentImage().then((i) => {
    image = i;
    process.stderr.write(
      `lifeboat image: ${i.name} ${i.built ? 'built' : 'reused (same inputs)'} in ${i.seconds.toFixed(1)}s\n`,
    );
  });
  const starting = (async () => {
    etcd = await startEtcd({ version: '3.6' });
    await fillEtcd(etcd, { targetBytes: 2 * MiB });
  })();
  const results = await Promise.allSettled([
    building,
    starting,
    startMinio().then((m) => {
      minio = m;
    }),
    createResticRepo('current').then((r) => {
      repo = r;
    }),
    makeKeys(join(dir, 'keys')).then((k) => {
      keys = k;
    }),
  ]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  // Only the public halves go into the pod, as the ConfigMap would carry them.
  publicKeys = join(dir, 'recipients');
  await mkdir(publicKeys);
  for (const r of keys.recipients) await copyFile(r.pub, join(publicKeys, `${r.name}.asc`));
  ctr = await openContainer(image.name);
  marker = join(dir, 'marker');
  await writeFile(marker, '');
  process.stderr.write(`lifeboat image: setup took ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}, 30 * 60_000);

afterAll(async () => {
  await Promise.allSettled([ctr?.remove(), etcd?.stop(), minio?.stop(), repo?.remove()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('agent image (images/agent/Dockerfile)', () => {
  it('is configured for a read-only root: lifeboat entrypoint, root user, TMPDIR=/tmp, labels', async () => {
    const config = (await imageConfig(image.name))!;
    expect(config.Entrypoint).toEqual(['lifeboat']);
    expect(config.User).toBe('0');
    expect(config.WorkingDir).toBe('/tmp');
    expect(config.Env).toEqual(expect.arrayContaining(['TMPDIR=/tmp', 'HOME=/tmp']));
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'lifeboat-agent',
      'dev.lifeboat.restic.version': pinned.restic,
      'dev.lifeboat.etcd.version': pinned.etcd,
    });
  });

  it('runs lifeboat version and ships the pinned restic, etcd and etcdutl', async () => {
    const version = await ctr.run(['lifeboat', 'version', '-o', 'json']);
    expect(version.code, version.stderr).toBe(0);
    const v = JSON.parse(version.stdout) as { version: string; node: string };
    expect(v.node).toMatch(/^v24\./);
    expect(v.version).toMatch(/^\d+\.\d+\.\d+/);
    const restic = await ctr.run(['restic', 'version']);
    expect(restic.stdout).toContain(`restic ${pinned.restic} `);
    const etcdutl = await ctr.run(['etcdutl', 'version']);
    expect(etcdutl.stdout).toContain(`etcdutl version: ${pinned.etcd}`);
    const etcdBin = await ctr.run(['etcd', '--version']);
    expect(etcdBin.stdout).toContain(`etcd Version: ${pinned.etcd}`);
    // The bundle is the entry plus its chunks: no node_modules anywhere in the image.
    const modules = await ctr.run([
      'sh',
      '-c',
      'cd /usr/local/lib/lifeboat && ls && ls chunks | grep -vc "\\.mjs$"; test ! -e /usr/local/lib/node_modules',
    ]);
    expect(modules.code, modules.stderr).toBe(0);
    expect(modules.stdout.trim().split('\n')).toEqual(['chunks', 'lifeboat.mjs', '0']);
  });

  it('sees /etc/kubernetes read-only and as kubeadm wrote it (root-owned 0600 keys)', async () => {
    const probe = await ctr.run(
      [
        'sh',
        '-c',
        'stat -c %a /etc/kubernetes/pki/etcd/healthcheck-client.key; grep -c /etc/kubernetes/pki/etcd/ /etc/kubernetes/manifests/etcd.yaml; touch /etc/kubernetes/probe',
      ],
      { volumes: await podVolumes() },
    );
    const [mode, pkiRefs] = probe.stdout.trim().split('\n');
    expect(mode).toBe('600');
    expect(Number(pkiRefs)).toBeGreaterThan(0);
    expect(probe.code, 'touch on the read-only mount must fail').not.toBe(0);
    expect(probe.stderr).toMatch(/Read-only file system/);
  });

  it('backs up the test etcd into MinIO from inside the image; listed complete and verified from the host', async () => {
    const store = `s3://${minio.bucket}/image?endpoint=${minio.endpoint}&pathStyle=true`;
    const backup = await ctr.run(
      [
        'lifeboat',
        'backup',
        '--store',
        store,
        '--cluster',
        'image-e2e',
        '--node',
        'cp-1',
        '--recipient',
        '/etc/lifeboat/recipients',
      ],
      { volumes: await podVolumes(), env: minio.env },
    );
    expect(backup.code, `stderr:\n${backup.stderr}\nstdout:\n${backup.stdout}`).toBe(0);

    const list = await hostCli(['list', '--store', store, '-o', 'json'], minio.env);
    const listed = JSON.parse(list.stdout) as Listed[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ cluster: 'image-e2e', node: 'cp-1', state: 'complete' });

    for (const recipient of keys.recipients) {
      const verify = await hostCli(
        ['verify', '--store', store, listed[0]!.id, '--key', recipient.key, '-o', 'json'],
        minio.env,
      );
      const report = JSON.parse(verify.stdout) as VerifyReport;
      expect(report.ok, JSON.stringify(report.checks, null, 2)).toBe(true);
      expect(verify.code).toBe(0);
      expect(report.snapshot?.totalKey).toBeGreaterThan(0);
    }
  });

  it("backs up into a restic repository with the image's own restic", async () => {
    const backup = await ctr.run(
      [
        'lifeboat',
        'backup',
        '--store',
        `restic:${repo.repository}`,
        '--cluster',
        'image-e2e',
        '--node',
        'cp-1',
        '--recipient',
        '/etc/lifeboat/recipients',
      ],
      {
        volumes: [...(await podVolumes()), `${repo.repository}:${repo.repository}`],
        env: { RESTIC_PASSWORD: repo.password },
      },
    );
    expect(backup.code, `stderr:\n${backup.stderr}\nstdout:\n${backup.stdout}`).toBe(0);
    const list = await hostCli(['list', '--store', `restic:${repo.repository}`, '-o', 'json'], {
      RESTIC_PASSWORD: repo.password,
      RESTIC_CACHE_DIR: repo.env['RESTIC_CACHE_DIR']!,
    });
    const listed = JSON.parse(list.stdout) as Listed[];
    expect(listed.map((l) => l.state)).toEqual(['complete']);
  });

  it('wrote nothing to the root filesystem outside /tmp', async () => {
    // Files (not directories: buildah creates mount points) changed since the runs started.
    const { stdout } = await runFile('find', [ctr.root, '-xdev', '-type', 'f', '-newer', marker]);
    const changed = stdout
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice(ctr.root.length))
      // buildah run writes these itself for every container.
      .filter((p) => !['/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/run/.containerenv'].includes(p))
      .filter((p) => !p.startsWith('/tmp/'));
    expect(changed).toEqual([]);
  });
});
