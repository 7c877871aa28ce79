// Shared by the snapshot status and corruption suites: etcdutl's answer for a
// file, etcdctl with stdin or auth, bulk puts through the JSON gateway, and the
// live keys of a file next to what `etcdctl get` says.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { BoltDb, liveKeys } from '@lifeboat/etcd';
import { type EtcdCluster, ensureBinary, httpsClient } from '../infra/index.ts';

const run = promisify(execFile);

export interface EtcdutlStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
  version?: string;
}

export async function etcdutlPaths(): Promise<{ '3.5': string; '3.6': string }> {
  const [v35, v36] = await Promise.all([ensureBinary('etcd-3.5'), ensureBinary('etcd-3.6')]);
  return { '3.5': v35.etcdutl!, '3.6': v36.etcdutl! };
}

/** `etcdutl snapshot status -w <format> file`; rejects when etcdutl fails (or panics). */
export async function etcdutl(bin: string, file: string, format: 'json' | 'table' = 'json'): Promise<string> {
  const { stdout } = await run(bin, ['snapshot', 'status', '-w', format, file], { maxBuffer: 1 << 20 });
  return stdout;
}

export async function etcdutlStatus(bin: string, file: string): Promise<EtcdutlStatus> {
  return JSON.parse(await etcdutl(bin, file)) as EtcdutlStatus;
}

/** etcdctl with the cluster's client certificate and `input` on stdin (values too big for argv). */
export function etcdctlStdin(cluster: EtcdCluster, args: string[], input: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      cluster.bin.etcdctl,
      [
        `--endpoints=${cluster.endpoints[0]}`,
        `--cacert=${cluster.tls.cacert}`,
        `--cert=${cluster.tls.cert}`,
        `--key=${cluster.tls.key}`,
        ...args,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`etcdctl ${args[0]}: ${err}`)),
    );
    child.stdin.end(input);
  });
}

/** Many puts through etcd's JSON gateway, 16 at a time (spawning etcdctl per key is slow). */
export async function putMany(
  cluster: EtcdCluster,
  entries: Iterable<[string, Buffer | string]>,
): Promise<void> {
  const client = httpsClient(cluster.tls);
  const url = `${cluster.endpoints[0]}/v3/kv/put`;
  const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
  try {
    let batch: Promise<void>[] = [];
    for (const [key, value] of entries) {
      batch.push(
        client.call('POST', url, { key: b64(key), value: b64(value) }).then((res) => {
          if (res.status !== 200) throw new Error(`put ${key}: ${res.status} ${res.body}`);
        }),
      );
      if (batch.length === 16) {
        await Promise.all(batch);
        batch = [];
      }
    }
    await Promise.all(batch);
  } finally {
    client.close();
  }
}

export interface Live {
  key: string;
  value: string;
  create: number;
  mod: number;
  version: number;
  lease: bigint;
}

/**
 * `etcdctl get --prefix '' -w json` at a revision (else the current one), with
 * lease ids read exactly (they exceed 2^53).
 */
export async function etcdctlLive(
  cluster: EtcdCluster,
  revision?: number,
  auth: string[] = [],
): Promise<Live[]> {
  const rev = revision === undefined ? [] : [`--rev=${revision}`];
  const text = await cluster.etcdctl(['get', '--prefix', '', ...rev, '-w', 'json', ...auth]);
  const reviver = (key: string, value: unknown, context?: { source?: string }) =>
    key === 'lease' && context?.source ? BigInt(context.source) : value;
  const parsed = JSON.parse(text, reviver as (k: string, v: unknown) => unknown) as {
    kvs?: {
      key: string;
      value?: string;
      create_revision?: number;
      mod_revision?: number;
      version?: number;
      lease?: bigint;
    }[];
  };
  return (parsed.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('latin1'),
    value: Buffer.from(kv.value ?? '', 'base64').toString('base64'),
    create: kv.create_revision ?? 0,
    mod: kv.mod_revision ?? 0,
    version: kv.version ?? 0,
    lease: kv.lease ?? 0n,
  }));
}

/** Our live keys of a snapshot file, sorted by key like etcdctl's answer. */
export async function ourLive(file: string): Promise<Live[]> {
  const db = await BoltDb.open(file);
  const out: Live[] = [];
  try {
    for await (const kv of liveKeys(db)) {
      out.push({
        key: kv.key.toString('latin1'),
        value: kv.value.toString('base64'),
        create: kv.createRevision,
        mod: kv.modRevision,
        version: kv.version,
        lease: kv.lease,
      });
    }
  } finally {
    await db.close();
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.key, 'latin1'), Buffer.from(b.key, 'latin1')));
}
