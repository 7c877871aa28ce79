// The manifests against a real kube-apiserver 1.35: each overlay and the
// generated per-node CronJobs pass a server-side dry-run; the base's RBAC,
// exercised with the ServiceAccount's own token, allows exactly what the
// agent does; and the agent's reporting (Events, status ConfigMap) works with
// that token through @kubernetes/client-node.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@lifeboat/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { reportOutcome } from '../../packages/agent/src/kubernetes/report.ts';
import { logger } from '../../packages/agent/src/log.ts';
import { cronJob, manifestDefaults, renderManifests } from '../../packages/agent/src/operations/manifests.ts';
import { binaryPaths, type KubeApiserver, startControlPlane } from '../infra/index.ts';

const manifests = join(import.meta.dirname, '../../manifests');
const ns = 'lifeboat';

let cp: KubeApiserver;
let kubectlBin: string;
let ca: Buffer;
let dir: string;

function kubectl(args: string[], input?: string, kubeconfig = cp.kubeconfig) {
  const res = spawnSync(kubectlBin, ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  return { status: res.status, out: res.stdout, err: res.stderr };
}

/** One API call with a bearer token, as the pod would make it. */
function asToken(token: string, method: string, path: string, body?: unknown) {
  return new Promise<{ status: number; json: () => Record<string, unknown> }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${cp.url}${path}`,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  cp = await startControlPlane();
  kubectlBin = binaryPaths('kube-apiserver').kubectl!;
  ca = await readFile(join(cp.etcd.members[0]!.tree.dir, 'pki', 'ca.crt'));
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-cluster-'));
  // A namespaced dry-run needs its namespace to exist: create the base's Namespace and RBAC for real.
  const res = kubectl([
    'apply',
    '-n',
    ns,
    '-f',
    join(manifests, 'base/namespace.yaml'),
    '-f',
    join(manifests, 'base/rbac.yaml'),
  ]);
  expect(res.err).toBe('');
  expect(res.status).toBe(0);
}, 600_000);

afterAll(async () => {
  await cp?.stop();
});

describe('manifests on kube-apiserver 1.35', () => {
  for (const overlay of ['s3', 'restic'] as const) {
    it(`kubectl apply --dry-run=server -k overlays/${overlay} succeeds`, () => {
      const res = kubectl(['apply', '--dry-run=server', '-k', join(manifests, 'overlays', overlay)]);
      expect(res.err).not.toMatch(/error|invalid|forbidden/i);
      expect(res.status).toBe(0);
      expect(res.out).toContain('cronjob.batch/lifeboat-control-plane-1 created (server dry run)');
      expect(res.out).toContain('secret/lifeboat-' + overlay + '-credentials created (server dry run)');
    });

    it(`overlays/${overlay} builds the CronJob the generator makes with --store ${overlay}`, () => {
      const res = kubectl(['kustomize', join(manifests, 'overlays', overlay)]);
      expect(res.status).toBe(0);
      const docs = parseAllDocuments(res.out).map((d) => d.toJS());
      const cronJobs = docs.filter((d) => d.kind === 'CronJob');
      expect(cronJobs).toEqual([cronJob(manifestDefaults.placeholderNode, { store: overlay })]);
      const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'lifeboat-config');
      expect(parse(config.data['config.yaml']).store).toMatch(overlay === 's3' ? /^s3:\/\// : /^restic:/);
    });
  }

  it('the generated per-node CronJobs pass a server-side dry-run', () => {
    const yaml = renderManifests({
      nodes: ['cp-1', 'cp-2', 'cp-3.example.com'],
      store: 's3',
      schedule: '15 * * * *',
    });
    const res = kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
    expect(res.err).toBe('');
    expect(res.out.trim().split('\n')).toEqual([
      'cronjob.batch/lifeboat-cp-1 created (server dry run)',
      'cronjob.batch/lifeboat-cp-2 created (server dry run)',
      'cronjob.batch/lifeboat-cp-3-example-com created (server dry run)',
    ]);
  });
});

describe('the ServiceAccount token: exactly what the agent does, nothing else', () => {
  let token: string;
  let tokenKubeconfig: string;
  let jobName: string;
  let jobUid: string;
  let cronJobUid: string;

  beforeAll(async () => {
    const res = await cp.admin.call(
      'POST',
      `${cp.url}/api/v1/namespaces/${ns}/serviceaccounts/lifeboat/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    );
    expect(res.status).toBe(201);
    token = res.json<{ status: { token: string } }>().status.token;
    tokenKubeconfig = join(dir, 'lifeboat-sa.conf');
    await writeFile(
      tokenKubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'test', cluster: { server: cp.url, 'certificate-authority-data': ca.toString('base64') } },
        ],
        users: [{ name: 'lifeboat', user: { token } }],
        contexts: [{ name: 'lifeboat', context: { cluster: 'test', user: 'lifeboat', namespace: ns } }],
        'current-context': 'lifeboat',
      }),
    );
    // A CronJob and a Job it owns, as the CronJob controller would create them (no controller runs here).
    const cj = await cp.admin.call(
      'POST',
      `${cp.url}/apis/batch/v1/namespaces/${ns}/cronjobs`,
      cronJob('cp-1'),
    );
    expect(cj.status).toBe(201);
    cronJobUid = cj.json<{ metadata: { uid: string } }>().metadata.uid;
    jobName = 'lifeboat-cp-1-29000000';
    const job = await cp.admin.call('POST', `${cp.url}/apis/batch/v1/namespaces/${ns}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'lifeboat-cp-1',
            uid: cronJobUid,
            controller: true,
          },
        ],
      },
      spec: {
        suspend: true,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: manifestDefaults.image }] },
        },
      },
    });
    expect(job.status).toBe(201);
    jobUid = job.json<{ metadata: { uid: string } }>().metadata.uid;
  });

  it('may create Events and get/patch/create the status ConfigMap', async () => {
    const event = await asToken(token, 'POST', `/api/v1/namespaces/${ns}/events`, {
      metadata: { name: 'probe.1' },
      involvedObject: { kind: 'Job', name: jobName, namespace: ns },
      reason: 'Probe',
      message: 'rbac probe',
      type: 'Normal',
    });
    expect(event.status).toBe(201);
    const created = await asToken(token, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      metadata: { name: 'lifeboat-status' },
      data: { probe: '1' },
    });
    expect(created.status).toBe(201);
    const patched = await asToken(token, 'PATCH', `/api/v1/namespaces/${ns}/configmaps/lifeboat-status`, {
      data: { probe: null },
    });
    expect(patched.status).toBe(200);
    expect((await asToken(token, 'GET', `/api/v1/namespaces/${ns}/configmaps/lifeboat-status`)).status).toBe(
      200,
    );
    expect((await asToken(token, 'GET', `/apis/batch/v1/namespaces/${ns}/jobs/${jobName}`)).status).toBe(200);
  });

  it('is refused everything else', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/secrets'],
      ['GET', '/api/v1/namespaces/kube-system/secrets'],
      ['GET', `/api/v1/namespaces/${ns}/secrets`],
      ['GET', `/api/v1/namespaces/${ns}/secrets/lifeboat-s3-credentials`],
      ['GET', `/api/v1/namespaces/${ns}/pods`],
      ['GET', '/api/v1/pods'],
      ['GET', `/api/v1/namespaces/${ns}/configmaps`],
      ['GET', `/api/v1/namespaces/${ns}/configmaps/lifeboat-config`],
      ['PATCH', `/api/v1/namespaces/${ns}/configmaps/lifeboat-recipients`],
      ['DELETE', `/api/v1/namespaces/${ns}/configmaps/lifeboat-status`],
      ['GET', `/apis/batch/v1/namespaces/${ns}/jobs`],
      ['DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/${jobName}`],
      ['GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/lifeboat-cp-1`],
      ['POST', '/api/v1/namespaces/kube-system/events'],
      ['GET', `/api/v1/namespaces/${ns}/events`],
    ] as const) {
      const res = await asToken(
        token,
        method,
        path,
        method === 'PATCH' || method === 'POST' ? { metadata: {} } : undefined,
      );
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('reports a success: Events on the Job and CronJob, and the status ConfigMap', async () => {
    const io = { stdout: () => {}, stderr: (t: string) => void warnings.push(t), env: {} };
    const warnings: string[] = [];
    const finishedAt = new Date('2026-03-01T12:00:00.000Z');
    const summary = await reportOutcome(
      {
        cluster: 'prod',
        node: 'cp-1',
        store: 'restic:rest:https://backup:s3cret@rest.example:8000/prod',
        kubeconfig: tokenKubeconfig,
        jobName,
        env: {},
      },
      { ok: true, id: '20260301T115958Z', bytes: 3_145_728, revision: 4242, durationMs: 2500, finishedAt },
      logger(io),
    );
    expect(warnings.join('')).not.toContain('"warn"');
    expect(summary).toMatchObject({
      cluster: tokenKubeconfig,
      status: true,
      events: [`Job/${jobName}`, 'CronJob/lifeboat-cp-1'],
    });
    const events = (await cp.admin.call('GET', `${cp.url}/api/v1/namespaces/${ns}/events`))
      .json<{
        items: {
          reason: string;
          type: string;
          message: string;
          involvedObject: { kind: string; uid?: string };
        }[];
      }>()
      .items.filter((e) => e.reason === 'BackupSucceeded');
    expect(events.map((e) => [e.involvedObject.kind, e.involvedObject.uid, e.type])).toEqual([
      ['Job', jobUid, 'Normal'],
      ['CronJob', cronJobUid, 'Normal'],
    ]);
    expect(events[0]!.message).toBe(
      'backup 20260301T115958Z of prod/cp-1: 3.0 MiB (3145728 bytes), etcd revision 4242, took 2.5s',
    );
    const cm = (
      await cp.admin.call('GET', `${cp.url}/api/v1/namespaces/${ns}/configmaps/lifeboat-status`)
    ).json<{ data: Record<string, string> }>();
    expect(cm.data).toEqual({
      cluster: 'prod',
      // Where the extension finds this cluster's backups; the password never reaches the API server.
      store: 'restic:rest:https://***@rest.example:8000/prod',
      'cp-1.last-outcome': 'Succeeded',
      'cp-1.last-success-time': '2026-03-01T12:00:00.000Z',
      'cp-1.last-success-id': '20260301T115958Z',
      'cp-1.last-success-bytes': '3145728',
      'cp-1.last-success-revision': '4242',
      'cp-1.last-duration-seconds': '2.5',
      'cp-1.failures-total': '0',
    });
  });

  it('reports a failed `lifeboat backup` (exit 1) with the token, and writes the metrics textfile', async () => {
    const textDir = await mkdtemp(join(tmpdir(), 'lifeboat-textfile-'));
    const lines: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => void lines.push(t), env: {} };
    const code = await runCli(
      [
        'backup',
        '--store',
        `file://${dir}/store`,
        '--cluster',
        'prod',
        '--node',
        'cp-2',
        '--recipient',
        join(dir, 'no-such-key.asc'),
        '--kubeconfig',
        tokenKubeconfig,
        '--job-name',
        jobName,
        '--metrics-textfile-dir',
        textDir,
      ],
      io,
    );
    expect(code).toBe(1);
    const err = lines.join('');
    expect(err).toContain('no-such-key.asc');
    expect(err).not.toContain('reporting:');
    const cm = (
      await cp.admin.call('GET', `${cp.url}/api/v1/namespaces/${ns}/configmaps/lifeboat-status`)
    ).json<{ data: Record<string, string> }>();
    expect(cm.data['cp-1.last-outcome']).toBe('Succeeded');
    expect(cm.data['cp-2.last-outcome']).toBe('Failed');
    expect(cm.data['store']).toBe(`file://${dir}/store`);
    expect(cm.data['cp-2.failures-total']).toBe('1');
    expect(cm.data['cp-2.last-failure-reason']).toContain('no-such-key.asc');
    const events = (await cp.admin.call('GET', `${cp.url}/api/v1/namespaces/${ns}/events`))
      .json<{ items: { reason: string; type: string; message: string }[] }>()
      .items.filter((e) => e.reason === 'BackupFailed');
    expect(events).toHaveLength(2);
    expect(events[0]!.type).toBe('Warning');
    expect(events[0]!.message).toMatch(/^backup of prod\/cp-2 failed after [0-9.]+s: .*no-such-key\.asc/);
    const text = await readFile(join(textDir, 'lifeboat.prom'), 'utf8');
    expect(text).toContain('lifeboat_backup_failures_total{cluster="prod",node="cp-2"} 1\n');
    expect(text).not.toContain('lifeboat_last_success_timestamp_seconds{');
  });
});
