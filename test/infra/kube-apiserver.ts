// A real kube-apiserver (built from k8s.io/kubernetes) on a test etcd, with
// the kubeadm PKI: service-account keys, an admin client certificate
// (system:masters) and admin.conf, for server-side dry-runs and real objects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from './binaries.ts';
import { type EtcdCluster, type EtcdVersion, startEtcd } from './etcd.ts';
import { type HttpsClient, httpsClient } from './https.ts';
import { freePort } from './ports.ts';
import { type Server, startServer } from './process.ts';

export interface KubeApiserver {
  url: string;
  /** admin.conf of the first control-plane node. */
  kubeconfig: string;
  /** A client authenticated as kubernetes-admin (system:masters). */
  admin: HttpsClient;
  etcd: EtcdCluster;
  server: Server;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  etcdVersion?: EtcdVersion;
  members?: 1 | 3;
  /** Appended to kube-apiserver's flags (e.g. --encryption-provider-config, --etcd-prefix). */
  extraArgs?: string[];
}

/** etcd (kubeadm TLS) plus kube-apiserver on it, like a kubeadm control plane. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<KubeApiserver> {
  await ensureBinary('kube-apiserver');
  const port = await freePort();
  const etcd = await startEtcd({
    version: options.etcdVersion ?? '3.6',
    members: options.members ?? 1,
    apiserverPort: port,
  });
  let apiserver: ApiserverProcess;
  try {
    apiserver = await startKubeApiserver({
      etcdEndpoints: etcd.endpoints,
      tree: etcd.members[0]!.tree.dir,
      port,
      ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
    });
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  return {
    url: apiserver.url,
    kubeconfig: apiserver.kubeconfig,
    admin: apiserver.admin,
    etcd,
    server: apiserver.server,
    async stop() {
      await apiserver.stop();
      await etcd.stop();
    },
  };
}

export interface ApiserverOptions {
  /** etcd's client URLs (kubeadm TLS: the tree's apiserver-etcd-client certificate). */
  etcdEndpoints: string[];
  /** The node's /etc/kubernetes, whose pki/ and admin.conf it uses. */
  tree: string;
  port: number;
  extraArgs?: string[];
}

/** kube-apiserver alone: what startControlPlane runs, or a second one on an etcd restarted by a test. */
export type ApiserverProcess = Omit<KubeApiserver, 'etcd'>;

/** kube-apiserver alone on an etcd that runs already, with the tree's PKI; stop() leaves etcd running. */
export async function startKubeApiserver(o: ApiserverOptions): Promise<ApiserverProcess> {
  const { 'kube-apiserver': binary } = await ensureBinary('kube-apiserver');
  const { tree, port } = o;
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-apiserver-'));
  const pki = join(tree, 'pki');
  const url = `https://127.0.0.1:${port}`;
  await writeAdminCredentials(join(tree, 'admin.conf'), dir);
  const admin = httpsClient({
    cacert: join(pki, 'ca.crt'),
    cert: join(dir, 'admin.crt'),
    key: join(dir, 'admin.key'),
  });
  let server: Server;
  try {
    server = await startServer({
      name: 'kube-apiserver',
      command: binary!,
      args: [
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        '--enable-admission-plugins=NodeRestriction',
        `--client-ca-file=${pki}/ca.crt`,
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
        `--etcd-servers=${o.etcdEndpoints.join(',')}`,
        `--etcd-cafile=${pki}/etcd/ca.crt`,
        `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
        `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki}/sa.pub`,
        `--service-account-signing-key-file=${pki}/sa.key`,
        '--service-cluster-ip-range=10.96.0.0/12',
        `--cert-dir=${dir}`,
        '--profiling=false',
        '--v=1',
        ...(o.extraArgs ?? []),
      ],
      logFile: join(dir, 'kube-apiserver.log'),
      timeoutMs: 120_000,
      ready: async () => {
        const res = await admin.call('GET', `${url}/readyz`);
        return res.status === 200 && res.body.trim() === 'ok';
      },
    });
  } catch (err) {
    admin.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    kubeconfig: join(tree, 'admin.conf'),
    admin,
    server,
    async stop() {
      admin.close();
      await server.stop(10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pulls the admin client certificate out of admin.conf into PEM files. */
async function writeAdminCredentials(kubeconfig: string, dir: string): Promise<void> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const text = await readFile(kubeconfig, 'utf8');
  const field = (name: string) => {
    const m = new RegExp(`${name}: (\\S+)`).exec(text);
    if (!m) throw new Error(`${kubeconfig} has no ${name}`);
    return Buffer.from(m[1]!, 'base64');
  };
  await writeFile(join(dir, 'admin.crt'), field('client-certificate-data'), { mode: 0o600 });
  await writeFile(join(dir, 'admin.key'), field('client-key-data'), { mode: 0o600 });
}
