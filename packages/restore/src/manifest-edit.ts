// Points etcd.yaml at the restored data dir: the --data-dir flag, the hostPath
// of the volume that holds it and, when kubeadm's convention of the same path
// inside and outside the container holds, that volume's mountPath. The YAML is
// parsed only to find those scalars' byte ranges; the edit splices new text
// into exactly those ranges, so comments, key order, quoting, indentation and
// every other byte of an admin's hand-edited file stay as they were.
import { LifeboatError } from '@lifeboat/core';
import { parseEtcdManifest } from '@lifeboat/etcd';
import { isMap, isScalar, isSeq, type Node, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { validateDataDir } from './validate.ts';

export interface ManifestChange {
  /** What was changed, e.g. "--data-dir flag". */
  what: string;
  /** 1-based line of the change in the original text. */
  line: number;
  before: string;
  after: string;
}

export interface ManifestEdit {
  before: string;
  after: string;
  /** --data-dir as etcd sees it inside the container, before and after. */
  oldDataDir: string;
  dataDir: string;
  /** The host directory of the data volume, before and after (after = the restored dir). */
  oldHostPath: string;
  hostPath: string;
  /** Where the old data sits on the host (the hostPath plus --data-dir below the mount). */
  oldHostDataDir: string;
  /** The data volume's name (kubeadm: etcd-data). */
  volume: string;
  changes: ManifestChange[];
}

interface Splice {
  node: Scalar;
  what: string;
  value: string;
  flow: boolean;
}

function fail(source: string, why: string): never {
  throw new LifeboatError('config', `${source}: ${why}; edit it by hand (see docs/RESTORE.md)`);
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** Whether dir is path or one of its ancestors. */
function contains(dir: string, path: string): boolean {
  const d = trimSlash(dir);
  const p = trimSlash(path);
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
}

function get(map: YAMLMap, key: string): unknown {
  return map.get(key, true);
}

function stringScalar(node: unknown): node is Scalar<string> {
  return isScalar(node) && typeof node.value === 'string';
}

function etcdContainer(doc: Node | null, source: string): YAMLMap {
  const spec = isMap(doc) ? get(doc, 'spec') : undefined;
  const containers = isMap(spec) ? get(spec, 'containers') : undefined;
  if (!isSeq(containers)) fail(source, 'no spec.containers');
  const isEtcd = (c: unknown): c is YAMLMap => {
    if (!isMap(c)) return false;
    const name = get(c, 'name');
    if (stringScalar(name) && name.value === 'etcd') return true;
    const command = get(c, 'command');
    const first = isSeq(command) ? command.items[0] : undefined;
    return stringScalar(first) && first.value.split('/').pop() === 'etcd';
  };
  const found = containers.items.find(isEtcd);
  if (!found) fail(source, 'no container named "etcd" or running the etcd command');
  return found;
}

/** Every scalar that carries --data-dir's value, in command then args. */
function dataDirScalars(container: YAMLMap): { node: Scalar<string>; prefix: string; flow: boolean }[] {
  const found: { node: Scalar<string>; prefix: string; flow: boolean }[] = [];
  for (const key of ['command', 'args']) {
    const seq = get(container, key);
    if (!isSeq(seq)) continue;
    const items = seq.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!stringScalar(item)) continue;
      const joined = /^(--?data-dir=)/.exec(item.value);
      if (joined) found.push({ node: item, prefix: joined[1]!, flow: seq.flow === true });
      else if (/^--?data-dir$/.test(item.value)) {
        const next = items[i + 1];
        if (stringScalar(next)) found.push({ node: next, prefix: '', flow: seq.flow === true });
      }
    }
  }
  return found;
}

/** The volumeMount whose mountPath holds the data dir (the deepest, if several do). */
function dataMount(
  container: YAMLMap,
  dataDir: string,
): { name: string; mountPath: Scalar<string> } | undefined {
  const mounts = get(container, 'volumeMounts');
  if (!isSeq(mounts)) return undefined;
  let best: { name: string; mountPath: Scalar<string> } | undefined;
  for (const m of mounts.items) {
    if (!isMap(m)) continue;
    const name = get(m, 'name');
    const mountPath = get(m, 'mountPath');
    if (!stringScalar(name) || !stringScalar(mountPath) || !contains(mountPath.value, dataDir)) continue;
    if (!best || mountPath.value.length > best.mountPath.value.length) best = { name: name.value, mountPath };
  }
  return best;
}

function hostPathOf(doc: Node | null, volume: string, source: string): Scalar<string> {
  const spec = isMap(doc) ? get(doc, 'spec') : undefined;
  const volumes = isMap(spec) ? get(spec, 'volumes') : undefined;
  const entry = isSeq(volumes)
    ? volumes.items.find(
        (v) => isMap(v) && stringScalar(get(v, 'name')) && (get(v, 'name') as Scalar).value === volume,
      )
    : undefined;
  if (!isMap(entry)) fail(source, `no volume named "${volume}" in spec.volumes`);
  const hostPath = get(entry, 'hostPath');
  const path = isMap(hostPath) ? get(hostPath, 'path') : undefined;
  if (!stringScalar(path)) fail(source, `volume "${volume}" is not a hostPath volume with a path`);
  return path;
}

// Plain scalars stay plain when the new value reads back as the same string.
const plainSafe = /^[A-Za-z0-9_./=:@+-]+$/;

/** The value written in the style the original scalar used. */
function render(node: Scalar, value: string, flow: boolean, source: string): string {
  switch (node.type) {
    case 'PLAIN':
      if (plainSafe.test(value) && !(flow && /[,[\]{}]/.test(value))) return value;
      return JSON.stringify(value);
    case 'QUOTE_SINGLE':
      return `'${value.replaceAll("'", "''")}'`;
    case 'QUOTE_DOUBLE':
      // JSON's escapes are a subset of YAML's double-quoted ones.
      return JSON.stringify(value);
    default:
      fail(source, `${JSON.stringify(String(node.value))} is a ${node.type ?? 'complex'} scalar`);
  }
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

interface Located {
  flags: { node: Scalar<string>; prefix: string; flow: boolean }[];
  mount: { name: string; mountPath: Scalar<string> };
  hostPath: Scalar<string>;
  data: DataDirLocation;
}

/** Where an etcd.yaml keeps etcd's data, inside the container and on the host. */
export interface DataDirLocation {
  /** --data-dir (the last one, as etcd's flag parser keeps). */
  dataDir: string;
  /** The volume holding it (kubeadm: etcd-data), its mountPath and hostPath. */
  volume: string;
  mountPath: string;
  hostPath: string;
  /** The data dir as a host path: hostPath plus --data-dir below the mount. */
  hostDataDir: string;
}

function locate(text: string, source: string): Located {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) fail(source, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const container = etcdContainer(doc.contents, source);
  const flags = dataDirScalars(container);
  if (flags.length === 0) fail(source, 'the etcd container has no --data-dir flag');
  const last = flags.at(-1)!;
  const dataDir = last.node.value.slice(last.prefix.length);
  const mount = dataMount(container, dataDir);
  if (!mount) fail(source, `no volumeMount of the etcd container holds --data-dir=${dataDir}`);
  const hostPath = hostPathOf(doc.contents, mount.name, source);
  const below = trimSlash(dataDir).slice(trimSlash(mount.mountPath.value).length).replace(/^\/+/, '');
  const host = trimSlash(hostPath.value);
  return {
    flags,
    mount,
    hostPath,
    data: {
      dataDir,
      volume: mount.name,
      mountPath: mount.mountPath.value,
      hostPath: hostPath.value,
      hostDataDir: below ? `${host === '/' ? '' : host}/${below}` : host,
    },
  };
}

/** Reads where etcd.yaml keeps etcd's data, failing as the edit would. */
export function locateDataDir(text: string, source = 'etcd.yaml'): DataDirLocation {
  return locate(text, source).data;
}

/**
 * Returns etcd.yaml edited so etcd runs on `hostDir` (the restored data dir on
 * the node), changing only the scalars that name the data dir.
 */
export function editEtcdDataDir(text: string, hostDir: string, source = 'etcd.yaml'): ManifestEdit {
  validateDataDir(hostDir);
  const newHost = trimSlash(hostDir);
  const { flags, mount, hostPath, data } = locate(text, source);
  // kubeadm mounts the host dir at the same path inside: keep that symmetry, so
  // the flag, the mount and the host dir keep naming one directory.
  const mirrored = trimSlash(data.mountPath) === trimSlash(data.hostPath);
  const newMountPath = mirrored ? newHost : data.mountPath;
  // etcd's data sits at the root of the restored dir, so --data-dir is the mount itself.
  const newDataDir = newMountPath;

  const splices: Splice[] = [
    ...flags.map(({ node, prefix, flow }) => ({
      node,
      what: '--data-dir flag',
      value: `${prefix}${newDataDir}`,
      flow,
    })),
    { node: hostPath, what: `volume ${mount.name} hostPath.path`, value: newHost, flow: false },
    ...(mirrored
      ? [
          {
            node: mount.mountPath,
            what: `volumeMount ${mount.name} mountPath`,
            value: newMountPath,
            flow: false,
          },
        ]
      : []),
  ];
  const changes: ManifestChange[] = [];
  const pieces: { start: number; end: number; text: string }[] = [];
  for (const s of splices) {
    const [start, end] = s.node.range ?? fail(source, `cannot locate ${s.what} in the text`);
    const before = text.slice(start, end);
    const after = render(s.node, s.value, s.flow, source);
    if (before === after) continue;
    pieces.push({ start, end, text: after });
    changes.push({ what: s.what, line: lineOf(text, start), before, after });
  }
  pieces.sort((a, b) => b.start - a.start);
  let after = text;
  for (const p of pieces) after = after.slice(0, p.start) + p.text + after.slice(p.end);
  changes.sort((a, b) => a.line - b.line);

  // Read the result back as etcd's flags would be: the edit must say what we meant.
  const check = parseEtcdManifest(after, `${source} (edited)`);
  if (check.dataDir !== newDataDir) {
    fail(source, `after the edit --data-dir reads ${check.dataDir}, not ${newDataDir}`);
  }
  return {
    before: text,
    after,
    oldDataDir: data.dataDir,
    dataDir: newDataDir,
    oldHostPath: data.hostPath,
    hostPath: newHost,
    oldHostDataDir: data.hostDataDir,
    volume: mount.name,
    changes,
  };
}
