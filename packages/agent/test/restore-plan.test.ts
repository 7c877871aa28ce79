// `lifeboat restore-plan --bundle`: flags to files. The --store road runs
// against real backups in test/e2e/restore-single.test.ts.
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';
import { etcdFixture, memoryIo } from './helpers.ts';

const joinedFixture = join(import.meta.dirname, '../../etcd/test/fixtures/kubeadm-etcd-joined.yaml');

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-restore-plan-'));
  bundle = join(dir, 'bundle');
  await mkdir(join(bundle, 'etcd'), { recursive: true });
  await mkdir(join(bundle, 'kubernetes/manifests'), { recursive: true });
  await copyFile(etcdFixture, join(bundle, 'kubernetes/manifests/etcd.yaml'));
  await writeFile(join(bundle, 'etcd/snapshot.db'), Buffer.alloc(4096 + 32));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function plan(argv: string[]) {
  const io = memoryIo();
  const code = await runCli(['restore-plan', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

describe('lifeboat restore-plan --bundle', () => {
  it('writes the plan and says where, with the warnings', async () => {
    const out = join(dir, 'single');
    const r = await plan(['--bundle', bundle, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `restore plan written to ${out}\n  RUNBOOK.md  read this first: ${out}/RUNBOOK.md\n`,
    );
    expect(r.out).toContain('  restore-cp-1.sh  run as root on the node of cp-1\n');
    expect(r.out).toMatch(/2 warning\(s\):\n {2}! The members \(cp-1\) come from --initial-cluster/);
    expect((await readdir(out)).sort()).toEqual([
      'RUNBOOK.md',
      'etcd.yaml.cp-1.diff',
      'etcd.yaml.cp-1.edited',
      'plan.json',
      'restore-cp-1.sh',
    ]);
    const script = await readFile(join(out, 'restore-cp-1.sh'), 'utf8');
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain('\nset -euo pipefail\n');
    expect(script).toContain(`etcdutl snapshot restore ${bundle}/etcd/snapshot.db --name cp-1 `);
  });

  it('takes members, data dir, token, bump, metadata, other manifests and an etcdutl to probe; -o json', async () => {
    const out = join(dir, 'three');
    const etcdutl = join(dir, 'etcdutl');
    await writeFile(etcdutl, '#!/bin/sh\necho "etcdutl version: 3.6.16"\n');
    await chmod(etcdutl, 0o755);
    const metadata = join(dir, '20261121T143005Z.json');
    await writeFile(
      metadata,
      JSON.stringify({
        format: 'lifeboat.backup/v1',
        id: '20261121T143005Z',
        cluster: 'prod',
        node: 'cp-1',
        created: '2026-11-21T14:30:05.000Z',
        finished: '2026-11-21T14:30:41.000Z',
        agentVersion: '0.1.0',
        etcd: {
          endpoint: 'https://127.0.0.1:2379',
          serverVersion: '3.5.15',
          revision: 48213,
          dbSize: 25165824,
          memberId: '8e9e05c52164694d',
          clusterId: 'cdf818194e3a8c32',
          snapshotSha256: 'a'.repeat(64),
        },
        payload: {
          key: 'prod/cp-1/20261121T143005Z.tar.zst.pgp',
          size: 1,
          sha256: 'b'.repeat(64),
          compression: 'zstd',
          recipients: ['0'.repeat(40)],
        },
        kubernetes: { files: 1, bytes: 1 },
      }),
    );
    const r = await plan([
      '--bundle',
      bundle,
      '--metadata',
      metadata,
      '--manifest',
      `cp-2=${joinedFixture}`,
      '--members',
      'cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380',
      '--data-dir',
      '/var/lib/etcd-new',
      '--token',
      'dr-2026',
      '--bump-revision',
      '5000',
      '--etcdutl',
      etcdutl,
      '--max-age',
      '1000d',
      '--out',
      out,
      '-o',
      'json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.scripts.map((s: string) => s.slice(out.length + 1))).toEqual([
      'restore-cp-1.sh',
      'restore-cp-2.sh',
      'restore-cp-3.sh',
    ]);
    expect(result.manifests.map((s: string) => s.slice(out.length + 1))).toEqual([
      'etcd.yaml.cp-1.edited',
      'etcd.yaml.cp-1.diff',
      'etcd.yaml.cp-2.edited',
      'etcd.yaml.cp-2.diff',
    ]);
    expect(result.warnings.map((w: { code: string }) => w.code)).toEqual([
      'manifest-missing',
      'etcdutl-version',
    ]);
    const cp2 = await readFile(join(out, 'restore-cp-2.sh'), 'utf8');
    expect(cp2).toContain(
      ' --name cp-2 --initial-cluster cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380 --initial-cluster-token dr-2026 --initial-advertise-peer-urls https://10.0.0.12:2380 --data-dir /var/lib/etcd-new --bump-revision 5000 --mark-compacted\n',
    );
    expect(await readFile(join(out, 'etcd.yaml.cp-2.edited'), 'utf8')).toContain(
      '- --data-dir=/var/lib/etcd-new\n',
    );
    expect(await readFile(join(out, 'RUNBOOK.md'), 'utf8')).toContain(
      '# Restore runbook: backup 20261121T143005Z of prod',
    );
  });

  it.each([
    [[], /needs --bundle DIR or --store URL ID --key/],
    [['--bundle', '/b', '--store', 'file:///s', 'ID'], /not both/],
    [['--bundle', '/b', '20261121T143005Z'], /--bundle takes no backup id/],
    [['--store', 'file:///s', '20261121T143005Z'], /--store needs --key PRIVATE.asc/],
    [['--store', 'file:///s', '--key', 'k'], /takes one backup id/],
    [['--bundle', '/b', '--members', 'a;rm -rf /=https://x:1'], /member name "a;rm -rf \/" is invalid/],
    [['--bundle', '/b', '--manifest', 'cp-2'], /is not NAME=FILE/],
    [['--bundle', '/b', '--bump-revision', '1e9'], /--bump-revision 1e9 is not a whole number/],
    [['--bundle', '/b', '--max-age', 'soon'], /not a duration/],
  ])('%j is a usage error', async (argv, reason) => {
    const r = await plan(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lifeboat: usage: .*\n$/);
    expect(r.err).toMatch(reason);
  });

  it('refuses a --manifest of another member, and a bundle that is not one', async () => {
    const wrong = await plan([
      '--bundle',
      bundle,
      '--manifest',
      `cp-3=${joinedFixture}`,
      '--out',
      join(dir, 'x'),
    ]);
    expect(wrong.err).toMatch(/that etcd.yaml is of member cp-2, not cp-3/);
    const empty = await plan(['--bundle', dir, '--out', join(dir, 'y')]);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/cannot read the backed-up etcd.yaml/);
  });
});
