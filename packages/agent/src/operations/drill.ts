// `lifeboat drill`: prove a backup restores, without touching the cluster.
// Fetch (sha256, decryption integrity, signature, manifest) into a scratch
// dir; read the snapshot with our own bbolt reader (status and live keys);
// `etcdutl snapshot restore` it (etcd's own hash check); boot a throwaway
// etcd on loopback; and check that etcd serves what the file says: the same
// revision, the same number of keys, and the same values for a sample —
// two independent readings of one snapshot that must agree.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorLine, LifeboatError } from '@lifeboat/core';
import { BoltDb, liveKeys, snapshotStatus } from '@lifeboat/etcd';
import type { DecryptionKey } from '@lifeboat/pgp';
import type { BackupStore } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import { fetchBackup } from './fetch.ts';

export interface DrillOptions {
  store: BackupStore;
  id: string;
  cluster?: string;
  node?: string;
  privateKeys: readonly DecryptionKey[];
  verificationKeys?: readonly PublicKey[];
  /** etcd and etcdutl binaries; default: found on PATH. */
  etcd?: string;
  etcdutl?: string;
  /** Keys whose values are compared between the file and the running etcd. */
  sample?: number;
  signal?: AbortSignal;
  onStep?: (step: string) => void;
}

export interface DrillCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  id: string;
  cluster: string;
  node: string;
  ok: boolean;
  checks: DrillCheck[];
  durationMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) =>
      reject(
        new LifeboatError(
          'not-found',
          `cannot run ${command}: ${(err as NodeJS.ErrnoException).code ?? err.message}; pass its path with --${command.split('/').pop()}`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new LifeboatError(
              'integrity',
              `${command} ${args[0]} ${args[1] ?? ''} failed (exit ${code}): ${out.trim().split('\n').at(-1)}`,
            ),
          ),
    );
  });
}

/** etcd's JSON gateway on the throwaway member (plain http, loopback only). */
async function gateway(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new LifeboatError('etcd', `${path} on the drill etcd answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const started = Date.now();
  const scratch = await mkdtemp(join(tmpdir(), 'lifeboat-drill-'));
  const checks: DrillCheck[] = [];
  const step = (s: string) => o.onStep?.(s);
  let etcdProcess: ReturnType<typeof spawn> | undefined;
  let ref = { id: o.id, cluster: o.cluster ?? '', node: o.node ?? '' };
  try {
    step('fetching, decrypting and verifying the backup');
    const fetched = await fetchBackup({
      store: o.store,
      id: o.id,
      ...(o.cluster ? { cluster: o.cluster } : {}),
      ...(o.node ? { node: o.node } : {}),
      privateKeys: o.privateKeys,
      ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
      out: join(scratch, 'bundle'),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    ref = { id: fetched.id, cluster: fetched.cluster, node: fetched.node };
    checks.push({ name: 'fetch', ok: true, detail: `${fetched.files} files verified against the manifest` });

    const snapshot = join(fetched.out, 'etcd/snapshot.db');
    step('reading the snapshot');
    const status = await snapshotStatus(snapshot);
    const db = await BoltDb.open(snapshot);
    const wanted = o.sample ?? 25;
    const sample: { key: string; sha: string }[] = [];
    let liveCount = 0;
    try {
      for await (const kv of liveKeys(db, { copy: false, ...(o.signal ? { signal: o.signal } : {}) })) {
        liveCount++;
        // Reservoir sampling: every live key is equally likely to be compared.
        const slot = sample.length < wanted ? sample.length : Math.floor(Math.random() * liveCount);
        if (slot < wanted) {
          sample[slot] = {
            key: kv.key.toString('base64'),
            sha: createHash('sha256').update(kv.value).digest('hex'),
          };
        }
      }
    } finally {
      await db.close();
    }
    checks.push({
      name: 'snapshot',
      ok: true,
      detail: `revision ${status.revision}, ${liveCount} live keys, hash ${status.hash}`,
    });

    step('restoring with etcdutl');
    const etcdutl = o.etcdutl ?? 'etcdutl';
    const dataDir = join(scratch, 'data');
    const [client, peer] = [await freePort(), await freePort()];
    const peerUrl = `http://127.0.0.1:${peer}`;
    await run(
      etcdutl,
      [
        'snapshot',
        'restore',
        snapshot,
        '--name',
        'drill',
        '--initial-cluster',
        `drill=${peerUrl}`,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--data-dir',
        dataDir,
      ],
      o.signal,
    );
    checks.push({ name: 'etcdutl restore', ok: true, detail: 'restored with the snapshot hash check' });

    step('starting a throwaway etcd on loopback');
    const clientUrl = `http://127.0.0.1:${client}`;
    etcdProcess = spawn(
      o.etcd ?? 'etcd',
      [
        '--name=drill',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=drill=${peerUrl}`,
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let etcdLog = '';
    etcdProcess.stderr!.on('data', (d) => (etcdLog = (etcdLog + d).slice(-2000)));
    const spawnError = new Promise<never>((_, reject) =>
      etcdProcess!.once('error', (err) =>
        reject(
          new LifeboatError(
            'not-found',
            `cannot run etcd: ${(err as NodeJS.ErrnoException).code}; pass its path with --etcd`,
          ),
        ),
      ),
    );
    spawnError.catch(() => {});
    const deadline = Date.now() + 30_000;
    let header: Record<string, string> | undefined;
    while (!header) {
      if (etcdProcess.exitCode !== null)
        throw new LifeboatError('etcd', `the drill etcd exited: ${etcdLog.trim().split('\n').at(-1)}`);
      if (Date.now() > deadline) throw new LifeboatError('etcd', 'the drill etcd did not answer within 30s');
      await Promise.race([
        gateway(clientUrl, '/v3/kv/range', { key: 'AA==', range_end: 'AA==', count_only: true })
          .then((r) => {
            header = r['header'] as Record<string, string>;
          })
          .catch(() => new Promise((r) => setTimeout(r, 200))),
        spawnError,
      ]);
    }
    const all = await gateway(clientUrl, '/v3/kv/range', {
      key: 'AA==',
      range_end: 'AA==',
      count_only: true,
    });
    const servedRevision = Number((all['header'] as Record<string, string>)['revision']);
    const servedCount = Number(all['count'] ?? 0);
    checks.push({
      name: 'revision',
      ok: servedRevision === status.revision,
      detail: `etcd serves revision ${servedRevision}; the file says ${status.revision}`,
    });
    checks.push({
      name: 'keys',
      ok: servedCount === liveCount,
      detail: `etcd serves ${servedCount} keys; the file holds ${liveCount}`,
    });
    let matching = 0;
    for (const s of sample) {
      const got = await gateway(clientUrl, '/v3/kv/range', { key: s.key });
      const kvs = (got['kvs'] as { value?: string }[] | undefined) ?? [];
      const value = Buffer.from(kvs[0]?.value ?? '', 'base64');
      if (kvs.length === 1 && createHash('sha256').update(value).digest('hex') === s.sha) matching++;
    }
    checks.push({
      name: 'values',
      ok: matching === sample.length,
      detail: `${matching} of ${sample.length} sampled values identical`,
    });
  } catch (err) {
    checks.push({ name: 'drill', ok: false, detail: errorLine(err) });
  } finally {
    if (etcdProcess && etcdProcess.exitCode === null) {
      etcdProcess.kill('SIGTERM');
      await new Promise((r) => etcdProcess!.once('exit', r));
    }
    await rm(scratch, { recursive: true, force: true });
  }
  return { ...ref, ok: checks.every((c) => c.ok), checks, durationMs: Date.now() - started };
}
