// Shared by the restore-*.test.ts suites (issue 5's proof that generated
// plans restore): a bundle-shaped folder made from a real cluster, running one
// step of a generated plan under bash with the real etcdutl first on PATH, and
// a plain-http etcd started on a restored data dir.
import { execFile } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { PlanStep, RestorePlan, StepId } from '@lifeboat/restore';
import { expect } from 'vitest';
import type { EtcdCluster } from '../infra/index.ts';
import { freePorts, type Server, startServer } from '../infra/index.ts';

export const run = promisify(execFile);

/** What `lifeboat fetch` leaves: etcd/snapshot.db (etcdctl's bytes) and a copy of the node's /etc/kubernetes. */
export async function bundleFrom(cluster: EtcdCluster, dir: string): Promise<string> {
  await mkdir(join(dir, 'etcd'), { recursive: true });
  await cluster.etcdctl(['snapshot', 'save', join(dir, 'etcd/snapshot.db')], {
    endpoints: [cluster.endpoints[0]!],
  });
  await cp(cluster.members[0]!.tree.dir, join(dir, 'kubernetes'), { recursive: true });
  return dir;
}

export function stepOf(plan: RestorePlan, member: string, id: StepId): PlanStep {
  const step = plan.members.find((m) => m.name === member)?.steps.find((s) => s.id === id);
  if (!step) throw new Error(`plan has no step ${id} for ${member}`);
  return step;
}

/** Runs a step's commands as the script would (its prelude, set -euo pipefail), with `bins` first on PATH. */
export async function runStep(
  plan: RestorePlan,
  step: PlanStep,
  bins: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  const script = ['set -euo pipefail', ...plan.prelude, ...step.commands].join('\n');
  const path = [...new Set(bins.map((b) => dirname(b)))].join(':');
  return run('bash', ['-c', script], {
    env: { ...process.env, PATH: `${path}:${process.env.PATH}`, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

export interface Kv {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
  version: number;
}

export interface Got {
  revision: number;
  kvs: Kv[];
}

/** `etcdctl get "" --prefix -w json`, keys and values decoded. */
export async function getAll(etcdctl: (args: string[]) => Promise<string>): Promise<Got> {
  const out = JSON.parse(await etcdctl(['get', '', '--prefix', '-w', 'json']));
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    revision: Number(out.header.revision),
    kvs: (out.kvs ?? []).map((kv: Record<string, string | number>) => ({
      key: b64(String(kv['key'])),
      value: b64(String(kv['value'] ?? '')),
      create_revision: Number(kv['create_revision']),
      mod_revision: Number(kv['mod_revision']),
      version: Number(kv['version']),
    })),
  };
}

/** Plain etcdctl against plain-http endpoints. */
export function plainEtcdctl(bin: string, endpoints: string[]) {
  return async (args: string[]) =>
    (await run(bin, [`--endpoints=${endpoints.join(',')}`, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** Writes keys with some history: overwrites and a delete, so revisions differ from key counts. */
export async function writeKeys(cluster: EtcdCluster, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await cluster.etcdctl(['put', `${prefix}${i}`, `value ${i} ${'x'.repeat(i)}`]);
  await cluster.etcdctl(['put', `${prefix}0`, 'overwritten']);
  await cluster.etcdctl(['del', `${prefix}1`]);
}

export interface PlainMember {
  name: string;
  peerPort: number;
  clientPort: number;
  peerUrl: string;
  clientUrl: string;
}

export async function plainMembers(names: string[]): Promise<PlainMember[]> {
  const ports = await freePorts(names.length * 2);
  return names.map((name, i) => ({
    name,
    peerPort: ports[i * 2]!,
    clientPort: ports[i * 2 + 1]!,
    peerUrl: `http://127.0.0.1:${ports[i * 2]!}`,
    clientUrl: `http://127.0.0.1:${ports[i * 2 + 1]!}`,
  }));
}

/** Starts etcd on a restored data dir, plain http on loopback; ready when /health says so. */
export function startRestored(
  etcd: string,
  m: PlainMember,
  o: { dataDir: string; initialCluster: string; token: string; logDir: string },
): Promise<Server> {
  return startServer({
    name: `restored etcd ${m.name}`,
    command: etcd,
    args: [
      `--name=${m.name}`,
      `--data-dir=${o.dataDir}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${o.initialCluster}`,
      `--initial-cluster-token=${o.token}`,
      '--log-level=warn',
    ],
    logFile: join(o.logDir, `restored-${m.name}.log`),
    env: { ETCD_UNSUPPORTED_ARCH: '' },
    ready: async () => {
      const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return (await res.text()).includes('"health":"true"');
    },
  });
}

/** The restored keys are the backed-up ones: same keys, values and per-key history. */
export function expectSameKeys(restored: Got, backedUp: Got): void {
  expect(restored.kvs.length).toBeGreaterThan(0);
  expect(restored.kvs).toEqual(backedUp.kvs);
}
