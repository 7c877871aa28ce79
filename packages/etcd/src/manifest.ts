// Reads the facts Lifeboat needs out of a kubeadm etcd static-pod manifest
// (/etc/kubernetes/manifests/etcd.yaml): the etcd container's flags. Admins edit
// these files, so flags may come as "--k=v" or "--k v", in any order, with
// extra containers, comments and reordered keys around them.
import { LifeboatError } from '@lifeboat/core';
import { parseDocument } from 'yaml';

export interface Member {
  name: string;
  peerUrl: string;
}

export interface EtcdManifest {
  /** Every --flag of the etcd command, last one wins (as etcd's own parser does). */
  flags: ReadonlyMap<string, string>;
  name: string;
  dataDir: string;
  listenClientUrls: string[];
  advertiseClientUrls: string[];
  initialAdvertisePeerUrls: string[];
  initialCluster: Member[];
  initialClusterState: 'new' | 'existing';
  trustedCaFile?: string;
  image?: string;
}

interface Container {
  name?: unknown;
  image?: unknown;
  command?: unknown;
  args?: unknown;
}

function fail(source: string, why: string): never {
  throw new LifeboatError('config', `${source}: ${why}`);
}

function etcdContainer(doc: unknown, source: string): Container {
  const containers = (doc as { spec?: { containers?: unknown } } | null)?.spec?.containers;
  if (!Array.isArray(containers)) fail(source, 'no spec.containers: is this an etcd static-pod manifest?');
  const isEtcd = (c: Container) =>
    c?.name === 'etcd' || (Array.isArray(c?.command) && String(c.command[0]).split('/').pop() === 'etcd');
  const found = (containers as Container[]).find(isEtcd);
  if (!found) fail(source, 'no container named "etcd" or running the etcd command');
  return found;
}

/** Parses "--k=v", "--k v" and bare "--k" (true) into a map. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) continue;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) {
      flags.set(body, argv[++i]!);
    } else {
      flags.set(body, 'true');
    }
  }
  return flags;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseInitialCluster(value: string, source = 'initial-cluster'): Member[] {
  return list(value).map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) fail(source, `--initial-cluster entry "${entry}" is not name=peerURL`);
    return { name: entry.slice(0, eq), peerUrl: entry.slice(eq + 1) };
  });
}

export function parseEtcdManifest(text: string, source = 'etcd.yaml'): EtcdManifest {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) fail(source, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const container = etcdContainer(doc.toJS(), source);
  const argv = [container.command, container.args].flatMap((v) => (Array.isArray(v) ? v.map(String) : []));
  const flags = parseFlags(argv);
  const name = flags.get('name') ?? 'default';
  const state = flags.get('initial-cluster-state') ?? 'new';
  if (state !== 'new' && state !== 'existing')
    fail(source, `--initial-cluster-state=${state} is neither new nor existing`);
  const initialAdvertisePeerUrls = list(flags.get('initial-advertise-peer-urls'));
  return {
    flags,
    name,
    dataDir: flags.get('data-dir') ?? `${name}.etcd`,
    listenClientUrls: list(flags.get('listen-client-urls')),
    advertiseClientUrls: list(flags.get('advertise-client-urls')),
    initialAdvertisePeerUrls,
    initialCluster: flags.has('initial-cluster')
      ? parseInitialCluster(flags.get('initial-cluster')!, source)
      : [{ name, peerUrl: initialAdvertisePeerUrls[0] ?? 'http://localhost:2380' }],
    initialClusterState: state,
    ...(flags.has('trusted-ca-file') ? { trustedCaFile: flags.get('trusted-ca-file')! } : {}),
    ...(typeof container.image === 'string' ? { image: container.image } : {}),
  };
}
