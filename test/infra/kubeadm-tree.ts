// Writes a kubeadm-shaped /etc/kubernetes for one control-plane node: pki/
// (cluster-wide CAs shared by all nodes, per-node leaf certificates),
// manifests/ (static pods, with etcd.yaml carrying the flags the test etcd
// really runs with) and the kubeconfigs. File names, subjects, SANs and modes
// follow kubeadm so the agent meets exactly what it meets on a real node.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Authority, createAuthority, type Issued, issue, serviceAccountKeys } from './pki.ts';

export interface ClusterPki {
  ca: Authority;
  etcdCa: Authority;
  frontProxyCa: Authority;
  sa: { key: string; pub: string };
}

export async function createClusterPki(): Promise<ClusterPki> {
  const [ca, etcdCa, frontProxyCa, sa] = await Promise.all([
    createAuthority('kubernetes'),
    createAuthority('etcd-ca'),
    createAuthority('front-proxy-ca'),
    serviceAccountKeys(),
  ]);
  return { ca, etcdCa, frontProxyCa, sa };
}

export interface MemberAddress {
  name: string;
  clientPort: number;
  peerPort: number;
  metricsPort: number;
}

export interface NodeTreeOptions {
  pki: ClusterPki;
  member: MemberAddress;
  /** All members of the etcd cluster, this one included, in join order. */
  members: MemberAddress[];
  /** The image tag etcd.yaml names, e.g. "3.6.16-0". */
  etcdImageTag: string;
  /** Where etcd keeps its data on this "node" (a temp dir in tests). */
  dataDir: string;
  /** kube-apiserver's secure port, written into kubeconfigs and its manifest. */
  apiserverPort: number;
  /** Whether this member joins an existing cluster (kubeadm join) or starts it. */
  clusterState: 'new' | 'existing';
}

export const loopback = '127.0.0.1';
const url = (port: number) => `https://${loopback}:${port}`;

async function put(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode });
  await chmod(path, mode);
}

async function putPair(dir: string, base: string, pair: Issued): Promise<void> {
  await put(join(dir, `${base}.crt`), pair.cert, 0o644);
  await put(join(dir, `${base}.key`), pair.key, 0o600);
}

function kubeconfig(server: string, caPem: string, user: string, client: Issued): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(caPem)}
    server: ${server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: ${user}
  name: ${user}@kubernetes
current-context: ${user}@kubernetes
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(client.cert)}
    client-key-data: ${b64(client.key)}
`;
}

/** The etcd flags kubeadm writes, pointed at loopback ports and the given data dir. */
export function etcdFlags(o: NodeTreeOptions, pkiDir = '/etc/kubernetes/pki'): string[] {
  const m = o.member;
  return [
    `--advertise-client-urls=${url(m.clientPort)}`,
    `--cert-file=${pkiDir}/etcd/server.crt`,
    '--client-cert-auth=true',
    `--data-dir=${o.dataDir}`,
    `--initial-advertise-peer-urls=${url(m.peerPort)}`,
    `--initial-cluster=${o.members.map((x) => `${x.name}=${url(x.peerPort)}`).join(',')}`,
    ...(o.clusterState === 'existing' ? ['--initial-cluster-state=existing'] : []),
    `--key-file=${pkiDir}/etcd/server.key`,
    `--listen-client-urls=${url(m.clientPort)}`,
    `--listen-metrics-urls=http://${loopback}:${m.metricsPort}`,
    `--listen-peer-urls=${url(m.peerPort)}`,
    `--name=${m.name}`,
    `--peer-cert-file=${pkiDir}/etcd/peer.crt`,
    '--peer-client-cert-auth=true',
    `--peer-key-file=${pkiDir}/etcd/peer.key`,
    `--peer-trusted-ca-file=${pkiDir}/etcd/ca.crt`,
    '--snapshot-count=10000',
    `--trusted-ca-file=${pkiDir}/etcd/ca.crt`,
  ];
}

function etcdManifest(o: NodeTreeOptions): string {
  const flags = etcdFlags(o)
    .map((f) => `    - ${f}`)
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: ${url(o.member.clientPort)}
  creationTimestamp: null
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
${flags}
    image: registry.k8s.io/etcd:${o.etcdImageTag}
    imagePullPolicy: IfNotPresent
    livenessProbe:
      failureThreshold: 8
      httpGet:
        host: ${loopback}
        path: /livez
        port: ${o.member.metricsPort}
        scheme: HTTP
      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 15
    name: etcd
    resources:
      requests:
        cpu: 100m
        memory: 100Mi
    volumeMounts:
    - mountPath: ${o.dataDir}
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
  hostNetwork: true
  priority: 2000001000
  priorityClassName: system-node-critical
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
      type: DirectoryOrCreate
    name: etcd-certs
  - hostPath:
      path: ${o.dataDir}
      type: DirectoryOrCreate
    name: etcd-data
status: {}
`;
}

function staticPod(component: string, image: string, flags: string[]): string {
  return `apiVersion: v1
kind: Pod
metadata:
  labels:
    component: ${component}
    tier: control-plane
  name: ${component}
  namespace: kube-system
spec:
  containers:
  - command:
    - ${component}
${flags.map((f) => `    - ${f}`).join('\n')}
    image: registry.k8s.io/${component}:${image}
    name: ${component}
  hostNetwork: true
  priorityClassName: system-node-critical
status: {}
`;
}

export interface NodeTree {
  /** The folder that plays /etc/kubernetes. */
  dir: string;
  etcdManifest: string;
}

export async function writeNodeTree(dir: string, o: NodeTreeOptions): Promise<NodeTree> {
  const pki = join(dir, 'pki');
  const node = o.member.name;
  const hostNames = [node, 'localhost'];
  const hostIps = [loopback, '::1'];
  const apiserver = url(o.apiserverPort);
  const [
    server,
    peer,
    healthcheck,
    etcdClient,
    apiserverCert,
    kubeletClient,
    frontProxyClient,
    admin,
    cm,
    sched,
    kubelet,
  ] = await Promise.all([
    issue(o.pki.etcdCa, { commonName: node, server: true, client: true, dnsNames: hostNames, ips: hostIps }),
    issue(o.pki.etcdCa, { commonName: node, server: true, client: true, dnsNames: hostNames, ips: hostIps }),
    issue(o.pki.etcdCa, { commonName: 'kube-etcd-healthcheck-client', client: true }),
    issue(o.pki.etcdCa, { commonName: 'kube-apiserver-etcd-client', client: true }),
    issue(o.pki.ca, {
      commonName: 'kube-apiserver',
      server: true,
      dnsNames: [
        node,
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'localhost',
      ],
      ips: ['10.96.0.1', loopback],
    }),
    issue(o.pki.ca, {
      commonName: 'kube-apiserver-kubelet-client',
      organization: 'kubeadm:cluster-admins',
      client: true,
    }),
    issue(o.pki.frontProxyCa, { commonName: 'front-proxy-client', client: true }),
    issue(o.pki.ca, { commonName: 'kubernetes-admin', organization: 'system:masters', client: true }),
    issue(o.pki.ca, { commonName: 'system:kube-controller-manager', client: true }),
    issue(o.pki.ca, { commonName: 'system:kube-scheduler', client: true }),
    issue(o.pki.ca, { commonName: `system:node:${node}`, organization: 'system:nodes', client: true }),
  ]);
  await putPair(pki, 'ca', o.pki.ca);
  await putPair(pki, 'front-proxy-ca', o.pki.frontProxyCa);
  await putPair(join(pki, 'etcd'), 'ca', o.pki.etcdCa);
  await put(join(pki, 'sa.key'), o.pki.sa.key, 0o600);
  await put(join(pki, 'sa.pub'), o.pki.sa.pub, 0o600);
  await putPair(join(pki, 'etcd'), 'server', server);
  await putPair(join(pki, 'etcd'), 'peer', peer);
  await putPair(join(pki, 'etcd'), 'healthcheck-client', healthcheck);
  await putPair(pki, 'apiserver-etcd-client', etcdClient);
  await putPair(pki, 'apiserver', apiserverCert);
  await putPair(pki, 'apiserver-kubelet-client', kubeletClient);
  await putPair(pki, 'front-proxy-client', frontProxyClient);

  const etcdYaml = join(dir, 'manifests', 'etcd.yaml');
  await put(etcdYaml, etcdManifest(o), 0o600);
  const etcdServers = o.members.map((m) => url(m.clientPort)).join(',');
  await put(
    join(dir, 'manifests', 'kube-apiserver.yaml'),
    staticPod('kube-apiserver', 'v1.35.4', [
      `--advertise-address=${loopback}`,
      '--authorization-mode=Node,RBAC',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
      '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
      '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
      `--etcd-servers=${etcdServers}`,
      `--secure-port=${o.apiserverPort}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
      '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
      '--service-cluster-ip-range=10.96.0.0/12',
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
    ]),
    0o600,
  );
  await put(
    join(dir, 'manifests', 'kube-controller-manager.yaml'),
    staticPod('kube-controller-manager', 'v1.35.4', [
      '--kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
      '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
      '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
      '--use-service-account-credentials=true',
    ]),
    0o600,
  );
  await put(
    join(dir, 'manifests', 'kube-scheduler.yaml'),
    staticPod('kube-scheduler', 'v1.35.4', [
      '--kubeconfig=/etc/kubernetes/scheduler.conf',
      '--leader-elect=true',
    ]),
    0o600,
  );
  await put(join(dir, 'admin.conf'), kubeconfig(apiserver, o.pki.ca.cert, 'kubernetes-admin', admin), 0o600);
  await put(
    join(dir, 'controller-manager.conf'),
    kubeconfig(apiserver, o.pki.ca.cert, 'system:kube-controller-manager', cm),
    0o600,
  );
  await put(
    join(dir, 'scheduler.conf'),
    kubeconfig(apiserver, o.pki.ca.cert, 'system:kube-scheduler', sched),
    0o600,
  );
  await put(
    join(dir, 'kubelet.conf'),
    kubeconfig(apiserver, o.pki.ca.cert, `system:node:${node}`, kubelet),
    0o600,
  );
  return { dir, etcdManifest: etcdYaml };
}
