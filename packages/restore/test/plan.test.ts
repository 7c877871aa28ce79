import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BackupMetadata, isLifeboatError } from '@lifeboat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultBumpRevision,
  editEtcdDataDir,
  type PlanInput,
  parseMembers,
  planRestore,
  type RestorePlan,
  renderRunbook,
  renderScript,
  restoreArgv,
} from '../src/index.ts';
import {
  bashSyntaxError,
  createSandbox,
  installManifests,
  intoSandbox,
  runScript,
  type Sandbox,
} from './sandbox.ts';

const fixtures = join(import.meta.dirname, '../../etcd/test/fixtures');
const kubeadm = readFileSync(join(fixtures, 'kubeadm-etcd.yaml'), 'utf8');
const joined = readFileSync(join(fixtures, 'kubeadm-etcd-joined.yaml'), 'utf8');
const handEdited = readFileSync(join(import.meta.dirname, 'fixtures/hand-edited-etcd.yaml.txt'), 'utf8');

const now = new Date('2026-11-21T16:00:00Z');

export const metadata: BackupMetadata = {
  format: 'lifeboat.backup/v1',
  id: '20261121T143005Z',
  cluster: 'prod',
  node: 'cp-1',
  created: '2026-11-21T14:30:05.000Z',
  finished: '2026-11-21T14:30:41.000Z',
  agentVersion: '0.1.0',
  etcd: {
    endpoint: 'https://127.0.0.1:2379',
    serverVersion: '3.6.16',
    revision: 48213,
    dbSize: 25165824,
    memberId: '8e9e05c52164694d',
    clusterId: 'cdf818194e3a8c32',
    snapshotSha256: 'a'.repeat(64),
  },
  payload: {
    key: 'prod/cp-1/20261121T143005Z.tar.zst.pgp',
    size: 4200000,
    sha256: 'b'.repeat(64),
    compression: 'zstd',
    recipients: ['0'.repeat(40)],
  },
  kubernetes: { files: 42, bytes: 123456 },
};

let box: Sandbox;
beforeEach(async () => {
  box = await createSandbox();
});
afterEach(() => rm(box.root, { recursive: true, force: true }));

/** A plan whose every path lies inside the sandbox. */
async function sandboxPlan(over: Partial<PlanInput> = {}, manifest = kubeadm): Promise<RestorePlan> {
  const bundleDir = join(box.root, 'bundle');
  await mkdir(join(bundleDir, 'etcd'), { recursive: true });
  await writeFile(join(bundleDir, 'etcd/snapshot.db'), 'snapshot');
  return planRestore({
    metadata,
    manifests: [{ text: intoSandbox(manifest, box), source: 'bundle/kubernetes/manifests/etcd.yaml' }],
    source: { bundleDir, raw: false },
    kubernetesDir: box.kubernetesDir,
    now,
    ...over,
  });
}

function argvOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\0').slice(0, -1);
}

function indexOf(log: string[], pattern: RegExp): number {
  const i = log.findIndex((line) => pattern.test(line));
  expect(i, `${pattern} in\n${log.join('\n')}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('a single-member plan', () => {
  it('has the steps in order, each with a title, a reason and commands', async () => {
    const plan = await sandboxPlan();
    expect(plan.members).toHaveLength(1);
    const steps = plan.members[0]!.steps;
    expect(steps.map((s) => s.id)).toEqual([
      'preflight',
      'check-snapshot',
      'stop',
      'restore',
      'ownership',
      'manifest',
      'start-etcd',
      'control-plane',
      'kubelet',
      'verify',
      'finish',
    ]);
    for (const s of steps) {
      expect(s.title.length).toBeGreaterThan(5);
      expect(s.why.length).toBeGreaterThan(40);
      expect(s.commands.length).toBeGreaterThan(0);
    }
  });

  it('restores with the backed-up name and peer URL, a fresh token, a new dir and a 1e9 bump', async () => {
    const plan = await sandboxPlan();
    const m = plan.members[0]!;
    expect(m.dataDir).toBe(`${box.oldDataDir}-restored-20261121T143005Z`);
    expect(plan.token).toBe('lifeboat-restore-20261121T143005Z');
    expect(plan.bumpRevision).toBe(defaultBumpRevision);
    expect(defaultBumpRevision).toBe(1_000_000_000);
    expect(m.steps.find((s) => s.id === 'restore')!.commands).toEqual([
      [
        'etcdutl snapshot restore',
        `${box.root}/bundle/etcd/snapshot.db`,
        '--name cp-1',
        '--initial-cluster cp-1=https://10.0.0.11:2380',
        '--initial-cluster-token lifeboat-restore-20261121T143005Z',
        '--initial-advertise-peer-urls https://10.0.0.11:2380',
        `--data-dir ${m.dataDir}`,
        '--bump-revision 1000000000 --mark-compacted',
      ].join(' '),
    ]);
    expect(m.clientUrl).toBe('https://127.0.0.1:2379');
    expect(m.etcdctlTls).toEqual({
      cacert: '/etc/kubernetes/pki/etcd/ca.crt',
      cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      key: '/etc/kubernetes/pki/etcd/healthcheck-client.key',
    });
  });

  it('runs end to end on a sandboxed node: manifests aside, restore, edited etcd.yaml first, the rest back', async () => {
    const plan = await sandboxPlan();
    const m = plan.members[0]!;
    const nodeYaml = intoSandbox(kubeadm, box);
    await installManifests(box, nodeYaml);
    const script = renderScript(plan, m);
    expect(bashSyntaxError(script)).toBeUndefined();
    const run = await runScript(box, script);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The stub sees its arguments, without its own name.
    const context = {
      plan: { ...plan, initialCluster: 'cp-1=https://10.0.0.11:2380', memberNames: ['cp-1'] },
      member: m,
    };
    expect(argvOf(box.restoreArgv)).toEqual(restoreArgv(context).slice(1));
    // etcd.yaml is the edited one, the others are back, the original is kept aside.
    const manifests = join(box.kubernetesDir, 'manifests');
    expect(await readFile(join(manifests, 'etcd.yaml'), 'utf8')).toBe(m.manifest!.edit.after);
    expect((await readdir(manifests)).sort()).toEqual([
      'etcd.yaml',
      'kube-apiserver.yaml',
      'kube-controller-manager.yaml',
      'kube-scheduler.yaml',
    ]);
    const aside = (await readdir(box.kubernetesDir)).find((n) => n.startsWith('manifests-before-restore-'))!;
    expect(aside).toMatch(/^manifests-before-restore-\d{8}T\d{6}Z$/);
    expect(await readFile(join(box.kubernetesDir, aside, 'etcd.yaml'), 'utf8')).toBe(nodeYaml);
    expect((await stat(m.dataDir)).mode & 0o777).toBe(0o700);
    // The order that matters: stop before restore, etcd healthy before kubelet restarts, API checked last.
    const log = run.log;
    const stopped = indexOf(log, /^crictl ps -q --name \^\(etcd\|kube-apiserver\)\$$/);
    const restored = indexOf(log, /^etcdutl snapshot restore /);
    const healthy = indexOf(log, /^etcdctl .* endpoint health$/);
    const kubelet = indexOf(log, /^systemctl restart kubelet$/);
    const ready = indexOf(log, /^kubectl --kubeconfig .*\/admin\.conf get --raw=\/readyz$/);
    expect(indexOf(log, /^etcdutl snapshot status /)).toBeLessThan(stopped);
    expect(stopped).toBeLessThan(restored);
    expect(restored).toBeLessThan(healthy);
    expect(healthy).toBeLessThan(kubelet);
    expect(kubelet).toBeLessThan(ready);
    expect(run.stdout).toMatch(/==> 11\/11 Done/);
  });

  it('refuses a non-empty target data dir before stopping anything', async () => {
    const plan = await sandboxPlan();
    await installManifests(box, intoSandbox(kubeadm, box));
    await mkdir(plan.members[0]!.dataDir, { recursive: true });
    await writeFile(join(plan.members[0]!.dataDir, 'leftover'), 'x');
    const run = await runScript(box, renderScript(plan, plan.members[0]!));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^restore failed: .*-restored-20261121T143005Z is not empty: etcd must start on a fresh restore/m,
    );
    expect(await readdir(join(box.kubernetesDir, 'manifests'))).toHaveLength(4);
    expect(run.log.some((l) => l.startsWith('etcdutl snapshot restore'))).toBe(false);
  });

  it("stops at the etcd.yaml step when the node's file is not the one the plan was made from", async () => {
    const plan = await sandboxPlan();
    await installManifests(
      box,
      intoSandbox(kubeadm, box).replace('--snapshot-count=10000', '--snapshot-count=5000'),
    );
    const run = await runScript(box, renderScript(plan, plan.members[0]!));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /etcd\.yaml on this node differs from the one this plan was made from: apply etcd\.yaml\.cp-1\.diff/,
    );
    expect(existsSync(join(box.kubernetesDir, 'manifests/etcd.yaml'))).toBe(false);
  });

  it('runs with hostile paths everywhere, quoting every one of them', async () => {
    const canary = join(box.root, 'PWNED');
    const weird = join(box.root, `it's a $(touch ${canary}) \`touch ${canary}\` "dir"`);
    const bundleDir = join(weird, 'bundle ; touch PWNED');
    await mkdir(join(bundleDir, 'etcd'), { recursive: true });
    await writeFile(join(bundleDir, 'etcd/snapshot.db'), 'snapshot');
    const kubernetesDir = join(weird, 'etc/kubernetes');
    const hostile: Sandbox = { ...box, kubernetesDir };
    await mkdir(join(kubernetesDir, 'manifests'), { recursive: true });
    const dataDir = join(weird, 'data $HOME *');
    const plan = planRestore({
      metadata,
      manifests: [{ text: intoSandbox(kubeadm, box), source: 'etcd.yaml' }],
      source: { bundleDir, raw: false },
      kubernetesDir,
      dataDir,
      now,
    });
    await installManifests(hostile, intoSandbox(kubeadm, box));
    const run = await runScript(box, renderScript(plan, plan.members[0]!));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(join(box.root, 'PWNED'))).toBe(false);
    const argv = argvOf(box.restoreArgv);
    expect(argv.slice(0, 3)).toEqual(['snapshot', 'restore', join(bundleDir, 'etcd/snapshot.db')]);
    expect(argv[argv.indexOf('--data-dir') + 1]).toBe(dataDir);
    expect(await readFile(join(kubernetesDir, 'manifests/etcd.yaml'), 'utf8')).toBe(
      plan.members[0]!.manifest!.edit.after,
    );
  });

  it('turns the bump off with 0, and refuses nonsense', async () => {
    const plan = await sandboxPlan({ bumpRevision: 0 });
    const restore = plan.members[0]!.steps.find((s) => s.id === 'restore')!;
    expect(restore.commands[0]).not.toMatch(/bump-revision|mark-compacted/);
    expect(restore.why).toMatch(/No revision bump/);
    await expect(sandboxPlan({ bumpRevision: -1 })).rejects.toThrow(/not a whole number/);
  });

  it('refuses to restore over the current data dir, an invalid token, and a second etcd.yaml of one member', async () => {
    await expect(sandboxPlan({ dataDir: box.oldDataDir })).rejects.toThrow(
      /restore next to it, never over it/,
    );
    await expect(sandboxPlan({ token: 'a b' })).rejects.toThrow(/cluster token "a b" is invalid/);
    await expect(
      sandboxPlan({
        manifests: [
          { text: kubeadm, source: 'one' },
          { text: kubeadm, source: 'two' },
        ],
      }),
    ).rejects.toThrow(/one and two are both etcd.yaml of member cp-1/);
  });
});

describe('warnings', () => {
  it('names the topology guess, the etcdutl version, the backup age', async () => {
    const plan = await sandboxPlan({ etcdutlVersion: '3.5.35', now: new Date('2026-11-23T16:00:00Z') });
    expect(plan.warnings.map((w) => w.code)).toEqual(['topology', 'etcdutl-version', 'backup-age']);
    expect(plan.warnings[2]!.message).toMatch(/the backup is 2d 1h old/);
  });

  it('takes the etcd version from the image when there is no metadata', async () => {
    const plan = await sandboxPlan({ metadata: undefined, etcdutlVersion: '3.6.16' });
    expect(plan.backup).toEqual({ serverVersion: '3.5.15', serverVersionFrom: 'etcd.yaml image' });
    expect(plan.warnings.map((w) => w.code)).toEqual(['topology', 'etcdutl-version', 'backup-age-unknown']);
    expect(plan.token).toBe('lifeboat-restore-20261121T160000Z');
  });

  it('says loudly when the snapshot is a raw db, and restores with --skip-hash-check', async () => {
    const plan = await sandboxPlan({ source: { bundleDir: join(box.root, 'bundle'), raw: true } });
    expect(plan.skipHashCheck).toBe(true);
    expect(plan.warnings[0]!.message).toMatch(
      /HAS NO SHA256 TRAILER.*--skip-hash-check and NOTHING verifies/,
    );
    const m = plan.members[0]!;
    expect(m.steps.find((s) => s.id === 'restore')!.commands.at(-1)).toMatch(/ --skip-hash-check$/);
    await installManifests(box, intoSandbox(kubeadm, box));
    const run = await runScript(box, renderScript(plan, m));
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/WARNING: THIS SNAPSHOT HAS NO SHA256 TRAILER/);
    expect(argvOf(box.restoreArgv)).toContain('--skip-hash-check');
    expect(renderRunbook(plan)).toMatch(/raw db, no integrity check/);
  });

  it('lists the certificates as a table in the runbook', async () => {
    const plan = await sandboxPlan({
      certificates: [
        {
          path: 'pki/ca.crt',
          subject: 'kubernetes',
          notAfter: '2035-11-19T00:00:00.000Z',
          daysLeft: 3285,
          state: 'ok',
        },
        {
          path: 'pki/etcd/peer.crt',
          subject: 'cp-1',
          notAfter: '2026-11-01T00:00:00.000Z',
          daysLeft: -20,
          state: 'expired',
        },
      ],
    });
    expect(plan.warnings.map((w) => w.code)).toContain('certificate-expired');
    const runbook = renderRunbook(plan);
    expect(runbook).toContain('| `pki/etcd/peer.crt` | cp-1 | 2026-11-01 | -20 | **expired** |');
    expect(plan.variants.map((v) => v.id)).toEqual(['raw-db', 'pki']);
  });
});

describe('a three-member plan', () => {
  const members = parseMembers(
    'cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380',
  );

  it('restores every member from one snapshot with one --initial-cluster and token, each as itself', async () => {
    const plan = await sandboxPlan({ manifests: [{ text: intoSandbox(joined, box), source: 'cp-2' }] });
    expect(plan.members.map((m) => m.name)).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(plan.warnings.map((w) => w.code)).toEqual(['topology', 'manifest-missing', 'manifest-missing']);
    const restores = plan.members.map((m) => m.steps.find((s) => s.id === 'restore')!.commands[0]!);
    for (const [i, r] of restores.entries()) {
      const name = `cp-${i + 1}`;
      expect(r).toContain(` --name ${name} `);
      expect(r).toContain(
        ' --initial-cluster cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380 ',
      );
      expect(r).toContain(' --initial-cluster-token lifeboat-restore-20261121T143005Z ');
      expect(r).toContain(` --initial-advertise-peer-urls https://10.0.0.1${i + 1}:2380 `);
      expect(r).toContain(`${box.root}/bundle/etcd/snapshot.db`);
    }
    for (const m of plan.members) {
      expect(m.steps.map((s) => s.id)).toContain('wait-for-members');
      expect(m.steps.findIndex((s) => s.id === 'wait-for-members')).toBe(
        m.steps.findIndex((s) => s.id === 'start-etcd') - 1,
      );
      expect(bashSyntaxError(renderScript(plan, m))).toBeUndefined();
    }
    expect(plan.variants.map((v) => v.id)).toEqual(['raw-db', 'force-new-cluster']);
    const runbook = renderRunbook(plan);
    expect(runbook).toMatch(
      /Answer `yes` on each node only when \*\*all\*\* nodes have reached that question/,
    );
    for (const name of ['cp-1', 'cp-2', 'cp-3'])
      expect(runbook).toContain(`## Member ${name}: \`restore-${name}.sh\``);
  });

  it("edits an unknown node's kubeadm etcd.yaml on the node exactly as the exact edit would", async () => {
    for (const node of [kubeadm, joined]) {
      const plan = await sandboxPlan({
        members,
        manifests: [{ text: intoSandbox(joined, box), source: 'cp-2' }],
      });
      const cp3 = plan.members[2]!;
      expect(cp3.manifest).toBeUndefined();
      const nodeYaml = intoSandbox(node, box);
      await installManifests(box, nodeYaml);
      const run = await runScript(box, renderScript(plan, cp3));
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(await readFile(join(box.kubernetesDir, 'manifests/etcd.yaml'), 'utf8')).toBe(
        editEtcdDataDir(nodeYaml, cp3.dataDir).after,
      );
      await rm(box.kubernetesDir, { recursive: true });
      await rm(cp3.dataDir, { recursive: true });
      await mkdir(join(box.kubernetesDir, 'manifests'), { recursive: true });
    }
  });

  it('stops safely when the on-node edit cannot find the kubeadm layout', async () => {
    const plan = await sandboxPlan({
      members,
      manifests: [{ text: intoSandbox(joined, box), source: 'cp-2' }],
    });
    await installManifests(box, intoSandbox(handEdited, box));
    const run = await runScript(box, renderScript(plan, plan.members[2]!));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/could not find --data-dir=.* and its hostPath in etcd.yaml: edit .* by hand/);
    expect(existsSync(join(box.kubernetesDir, 'manifests/etcd.yaml'))).toBe(false);
  });

  it('asks before starting etcd until told every member is restored', async () => {
    const plan = await sandboxPlan({ members });
    const wait = plan.members[0]!.steps.find((s) => s.id === 'wait-for-members')!;
    expect(wait.commands[0]).toContain('restore-cp-2.sh, restore-cp-3.sh');
    expect(wait.commands[0]).toMatch(/until \[\[ \$answer == yes \]\]/);
  });
});

describe('from a store', () => {
  it('fetches on the node before anything stops, into a private folder, and reuses a finished fetch', async () => {
    const bundleDir = join(box.root, 'fetched/20261121T143005Z');
    const plan = planRestore({
      metadata,
      manifests: [{ text: intoSandbox(kubeadm, box), source: 'payload:etcd.yaml' }],
      source: {
        bundleDir,
        fetch: {
          store: 's3://backups/etcd?region=eu-1',
          id: metadata.id,
          key: '/root/ops key.asc',
          cluster: 'prod',
          node: 'cp-1',
        },
        raw: false,
      },
      kubernetesDir: box.kubernetesDir,
      now,
    });
    const steps = plan.members[0]!.steps;
    expect(steps.map((s) => s.id).slice(0, 4)).toEqual(['preflight', 'fetch', 'check-snapshot', 'stop']);
    expect(steps[1]!.commands[0]).toContain(
      `lifeboat fetch --store 's3://backups/etcd?region=eu-1' 20261121T143005Z --cluster prod --node cp-1 --key '/root/ops key.asc' --out ${bundleDir}`,
    );
    await writeFile(join(box.root, 'ops.key'), 'key');
    const runnable = planRestore({
      ...{ metadata, now, kubernetesDir: box.kubernetesDir },
      manifests: [{ text: intoSandbox(kubeadm, box), source: 'payload:etcd.yaml' }],
      source: {
        bundleDir,
        fetch: { store: 'file:///backups', id: metadata.id, key: join(box.root, 'ops.key') },
        raw: false,
      },
    });
    await installManifests(box, intoSandbox(kubeadm, box));
    const run = await runScript(box, renderScript(runnable, runnable.members[0]!));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(indexOf(run.log, /^lifeboat fetch /)).toBeLessThan(indexOf(run.log, /^crictl ps/));
    expect((await stat(join(box.root, 'fetched'))).mode & 0o777).toBe(0o700);
    expect(renderRunbook(runnable)).toContain(`Delete \`${bundleDir}\` on every node`);
  });
});

describe('the runbook', () => {
  it('shows every step of every member with its reason and exact commands, and the diff', async () => {
    const plan = await sandboxPlan();
    const runbook = renderRunbook(plan);
    for (const [i, step] of plan.members[0]!.steps.entries()) {
      expect(runbook).toContain(`### ${i + 1}. ${step.title}\n\n${step.why}\n\n`);
      if (step.id !== 'manifest') expect(runbook).toContain(step.commands.join('\n'));
    }
    expect(runbook).toContain(plan.members[0]!.manifest!.diff);
    expect(runbook).toContain('# … 91 lines: the content of etcd.yaml.cp-1.edited …');
    expect(runbook).toMatch(/\| Revision \| 48213 at backup; at least 1000048213 after the restore \|/);
    expect(runbook).toContain(plan.prelude.join('\n'));
  });
});

describe('errors are usage errors with one line', () => {
  it.each([
    [{ dataDir: 'relative' }, /absolute/],
    [{ members: [{ name: 'a;rm -rf /', peerUrl: 'https://x:1' }] }, /member name/],
  ] as [Partial<PlanInput>, RegExp][])('%j', async (over, reason) => {
    try {
      await sandboxPlan(over);
      throw new Error('no error');
    } catch (err) {
      expect(isLifeboatError(err, 'usage')).toBe(true);
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
