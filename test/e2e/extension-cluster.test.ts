// The extension's cluster side against a real kube-apiserver 1.35: finding a
// cluster's store and per-node status from a kubeconfig (the status ConfigMap
// a real `reportOutcome` wrote), an unreachable context reported instead of
// failing the others, and "Back up now" making the same Job as
// `kubectl create job --from=cronjob/…` (compared server-side).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  jobFromCronJob,
  manualAnnotation,
  manualJobName,
} from '../../extension/src/cluster/job-from-cronjob.ts';
import { clusterStatusText } from '../../extension/src/cluster/status-text.ts';
import { discoverClusters } from '../../extension/src/sources/clusters.ts';
import { reportOutcome } from '../../packages/agent/src/kubernetes/report.ts';
import { logger } from '../../packages/agent/src/log.ts';
import { cronJob } from '../../packages/agent/src/operations/manifests.ts';
import { binaryPaths, type KubeApiserver, startControlPlane } from '../infra/index.ts';
import { freePort } from '../infra/ports.ts';

const ns = 'lifeboat';
let cp: KubeApiserver;
let kubectlBin: string;
let dir: string;
let twoContexts: string;

function kubectl(args: string[], input?: string) {
  const res = spawnSync(kubectlBin, ['--kubeconfig', cp.kubeconfig, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

beforeAll(async () => {
  cp = await startControlPlane();
  kubectlBin = binaryPaths('kube-apiserver').kubectl!;
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-extension-cluster-'));
  kubectl(['create', 'namespace', ns]);
  kubectl(['apply', '-f', '-'], JSON.stringify(cronJob('cp-1')));
  // What the agent writes after a run: here one success on cp-1, one failure on cp-2.
  const io = { stdout: () => {}, stderr: () => {}, env: {} };
  const target = {
    cluster: 'prod',
    store: 's3://backups/prod?endpoint=https://minio.example:9000',
    kubeconfig: cp.kubeconfig,
    env: {},
  };
  await reportOutcome(
    { ...target, node: 'cp-1' },
    {
      ok: true,
      id: '20261121T120000Z',
      bytes: 1024,
      revision: 42,
      durationMs: 1000,
      finishedAt: new Date('2026-11-21T12:00:05Z'),
    },
    logger(io),
  );
  await reportOutcome(
    { ...target, node: 'cp-2' },
    {
      ok: false,
      error: new Error('etcd: connection refused'),
      durationMs: 1000,
      finishedAt: new Date('2026-11-21T13:00:00Z'),
    },
    logger(io),
  );
  // The same kubeconfig with a second context whose API server does not answer.
  const config = parse(await readFile(cp.kubeconfig, 'utf8'));
  const cluster = config.clusters[0];
  const user = config.users[0];
  config.clusters.push({
    name: 'down',
    cluster: { ...cluster.cluster, server: `https://127.0.0.1:${await freePort()}` },
  });
  config.contexts.push({ name: 'down', context: { cluster: 'down', user: user.name } });
  twoContexts = join(dir, 'kubeconfig');
  await writeFile(twoContexts, stringify(config), { mode: 0o600 });
});

afterAll(async () => {
  await cp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("finds each context's store and node status, and says why a context has none", async () => {
  const findings = await discoverClusters({ kubeconfig: twoContexts, namespace: ns, timeoutMs: 10_000 });
  const [up, down] = findings;
  expect(findings).toHaveLength(2);
  expect(up).toMatchObject({
    cluster: 'prod',
    store: 's3://backups/prod?endpoint=https://minio.example:9000',
    nodes: [
      {
        name: 'cp-1',
        status: { lastOutcome: 'Succeeded', lastSuccessId: '20261121T120000Z', lastSuccessRevision: 42 },
      },
      { name: 'cp-2', status: { lastOutcome: 'Failed', failuresTotal: 1 } },
    ],
  });
  expect(up!.problem).toBeUndefined();
  expect(down).toMatchObject({ context: 'down', nodes: [] });
  expect(down!.problem).toMatch(/ECONNREFUSED/);

  const status = clusterStatusText(up!, new Date('2026-11-21T15:00:00Z'));
  expect(status).toMatchObject({ text: '$(warning) prod: 2h ago · cp-2 failing', warning: true });
  expect(status!.tooltip).toContain('cp-2: no successful backup; last run FAILED 2h ago: ');
  expect(status!.tooltip).toContain('etcd: connection refused');

  // In another namespace there is no agent: a finding that says so, not an error.
  const [elsewhere] = await discoverClusters({ kubeconfig: cp.kubeconfig, namespace: 'default' });
  expect(elsewhere!.problem).toMatch(/no default\/lifeboat-status ConfigMap: Lifeboat is not installed/);
});

it('"Back up now" creates the Job kubectl create job --from=cronjob would', async () => {
  const stored = JSON.parse(kubectl(['-n', ns, 'get', 'cronjob', 'lifeboat-cp-1', '-o', 'json']));
  const name = manualJobName('lifeboat-cp-1', new Date('2026-11-21T15:04:05Z'));
  expect(name).toBe('lifeboat-cp-1-manual-20261121150405');
  const ours = JSON.parse(
    kubectl(['create', '-f', '-', '-o', 'json'], JSON.stringify(jobFromCronJob(stored, name))),
  );
  const theirs = JSON.parse(
    kubectl([
      '-n',
      ns,
      'create',
      'job',
      'kubectl-made',
      '--from=cronjob/lifeboat-cp-1',
      '--dry-run=server',
      '-o',
      'json',
    ]),
  );
  expect(ours.metadata.annotations[manualAnnotation]).toBe('manual');
  expect(ours.metadata.annotations).toEqual(theirs.metadata.annotations);
  expect(ours.metadata.ownerReferences).toEqual(theirs.metadata.ownerReferences);
  // The server defaults and labels both the same way; only the names (and their selectors) differ.
  const strip = (job: { spec: Record<string, unknown>; metadata: { labels: Record<string, string> } }) => {
    const {
      selector: _s,
      template,
      ...spec
    } = job.spec as { selector: unknown; template: { metadata: { labels: Record<string, string> } } };
    const keep = (labels: Record<string, string>) =>
      Object.fromEntries(Object.entries(labels).filter(([k]) => !/controller-uid|job-name/.test(k)));
    return {
      spec,
      template: { ...template, metadata: { ...template.metadata, labels: keep(template.metadata.labels) } },
      labels: keep(job.metadata.labels),
    };
  };
  expect(strip(ours)).toEqual(strip(theirs));
  expect(manualJobName('x'.repeat(80), new Date())).toHaveLength(63);
});
