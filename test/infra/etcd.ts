// Real etcd clusters with TLS exactly as kubeadm sets it up: one member or
// three, from etcd 3.4 (Debian), 3.5 or 3.6 (built from the Go module proxy),
// each member with its own kubeadm-shaped /etc/kubernetes tree.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BinaryName, ensureBinary } from './binaries.ts';
import {
  type ClusterPki,
  createClusterPki,
  etcdFlags,
  loopback,
  type MemberAddress,
  type NodeTree,
  type NodeTreeOptions,
  writeNodeTree,
} from './kubeadm-tree.ts';
import { freePorts } from './ports.ts';
import { type Server, startServer } from './process.ts';

const run = promisify(execFile);

export type EtcdVersion = '3.4' | '3.5' | '3.6';
export const etcdVersions: EtcdVersion[] = ['3.4', '3.5', '3.6'];

export interface EtcdMember {
  name: string;
  clientUrl: string;
  metricsUrl: string;
  dataDir: string;
  /** This member's /etc/kubernetes. */
  tree: NodeTree;
  server: Server;
  options: NodeTreeOptions;
}

export interface EtcdClientTls {
  cacert: string;
  cert: string;
  key: string;
}

export interface EtcdCluster {
  version: EtcdVersion;
  /** The server's own version string, e.g. "3.6.16". */
  serverVersion: string;
  dir: string;
  pki: ClusterPki;
  members: EtcdMember[];
  endpoints: string[];
  /** kubeadm's healthcheck-client certificate of the first member's tree. */
  tls: EtcdClientTls;
  bin: { etcd: string; etcdctl: string; etcdutl?: string };
  /** Runs etcdctl against the cluster with the client certificate; returns stdout. */
  etcdctl(args: string[], options?: { endpoints?: string[] }): Promise<string>;
  /** Fetches /health from a member's metrics listener. */
  healthy(member?: EtcdMember): Promise<boolean>;
  stop(): Promise<void>;
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function binariesFor(version: EtcdVersion): Promise<EtcdCluster['bin']> {
  const paths = await ensureBinary(`etcd-${version}` as BinaryName);
  return { etcd: paths.etcd!, etcdctl: paths.etcdctl!, ...(paths.etcdutl ? { etcdutl: paths.etcdutl } : {}) };
}

async function serverVersion(etcd: string): Promise<string> {
  const { stdout } = await run(etcd, ['--version']);
  const m = /etcd Version: (\S+)/.exec(stdout);
  if (!m) throw new Error(`cannot read the version of ${etcd}: ${stdout}`);
  return m[1]!;
}

/** etcdctl 3.4 needs ETCDCTL_API=3 spelled out in places; 3.5 and later warn about it. */
export function etcdctlEnv(version: EtcdVersion): NodeJS.ProcessEnv {
  return version === '3.4' ? { ...process.env, ETCDCTL_API: '3' } : { ...process.env };
}

export interface StartEtcdOptions {
  version?: EtcdVersion;
  members?: 1 | 3;
  /** kube-apiserver port to write into the trees' kubeconfigs (when one will run). */
  apiserverPort?: number;
  /** Reuse a PKI (e.g. one shared with kube-apiserver). */
  pki?: ClusterPki;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const version = options.version ?? '3.6';
  const count = options.members ?? 1;
  const bin = await binariesFor(version);
  const full = await serverVersion(bin.etcd);
  const dir = await mkdtemp(join(tmpdir(), `lifeboat-etcd-${version}-`));
  const pki = options.pki ?? (await createClusterPki());
  const ports = await freePorts(count * 3 + (options.apiserverPort ? 0 : 1));
  const apiserverPort = options.apiserverPort ?? ports.pop()!;
  const addresses: MemberAddress[] = Array.from({ length: count }, (_, i) => ({
    name: `cp-${i + 1}`,
    clientPort: ports[i * 3]!,
    peerPort: ports[i * 3 + 1]!,
    metricsPort: ports[i * 3 + 2]!,
  }));

  const members: EtcdMember[] = [];
  try {
    const prepared = await Promise.all(
      addresses.map(async (member) => {
        const nodeDir = join(dir, member.name);
        const dataDir = join(nodeDir, 'var/lib/etcd');
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        const treeOptions: NodeTreeOptions = {
          pki,
          member,
          members: addresses,
          etcdImageTag: `${full}-0`,
          dataDir,
          apiserverPort,
          clusterState: 'new',
        };
        const tree = await writeNodeTree(join(nodeDir, 'etc/kubernetes'), treeOptions);
        return { member, dataDir, tree, treeOptions, nodeDir };
      }),
    );
    // Members of a new cluster wait for each other: start them all, then wait.
    const started = await Promise.allSettled(
      prepared.map(({ member, treeOptions, tree, nodeDir }) => {
        const metricsUrl = `http://${loopback}:${member.metricsPort}`;
        return startServer({
          name: `etcd ${full} ${member.name}`,
          command: bin.etcd,
          args: [
            ...etcdFlags(treeOptions, join(tree.dir, 'pki')),
            '--initial-cluster-token=lifeboat-test',
            '--log-level=warn',
          ],
          logFile: join(nodeDir, 'etcd.log'),
          env: { ETCD_UNSUPPORTED_ARCH: '' },
          ready: async () => (await httpGet(`${metricsUrl}/health`)).body.includes('"health":"true"'),
        });
      }),
    );
    const failed = started.find((s) => s.status === 'rejected');
    for (const [i, s] of started.entries()) {
      if (s.status === 'fulfilled') {
        const p = prepared[i]!;
        members.push({
          name: p.member.name,
          clientUrl: `https://${loopback}:${p.member.clientPort}`,
          metricsUrl: `http://${loopback}:${p.member.metricsPort}`,
          dataDir: p.dataDir,
          tree: p.tree,
          server: s.value,
          options: p.treeOptions,
        });
      }
    }
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (err) {
    await Promise.all(members.map((m) => m.server.stop()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const first = members[0]!;
  const tls: EtcdClientTls = {
    cacert: join(first.tree.dir, 'pki/etcd/ca.crt'),
    cert: join(first.tree.dir, 'pki/etcd/healthcheck-client.crt'),
    key: join(first.tree.dir, 'pki/etcd/healthcheck-client.key'),
  };
  const endpoints = members.map((m) => m.clientUrl);
  return {
    version,
    serverVersion: full,
    dir,
    pki,
    members,
    endpoints,
    tls,
    bin,
    async etcdctl(args, o = {}) {
      const { stdout } = await run(
        bin.etcdctl,
        [
          `--endpoints=${(o.endpoints ?? endpoints).join(',')}`,
          `--cacert=${tls.cacert}`,
          `--cert=${tls.cert}`,
          `--key=${tls.key}`,
          ...args,
        ],
        { env: etcdctlEnv(version), maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout;
    },
    async healthy(member = first) {
      return (await httpGet(`${member.metricsUrl}/health`).catch(() => ({ body: '' }))).body.includes(
        '"health":"true"',
      );
    },
    async stop() {
      await Promise.all(members.map((m) => m.server.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
