// Where a backup lives in a store. One backup is three objects under
// <prefix>/<cluster>/<node>/<id>: the encrypted payload, the metadata (the
// commit marker, written last) and the metadata's detached signature.
import { LifeboatError } from './errors.ts';

export type Compression = 'zstd' | 'gzip' | 'none';

const idPattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// Cluster and node names become path segments and restic tags: DNS labels
// (RFC 1123, as Kubernetes node names), dots allowed, nothing that could escape a path.
const namePattern = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** A backup id is its UTC start time to the second: 20261121T143000Z. */
export function backupId(at: Date): string {
  if (Number.isNaN(at.getTime()))
    throw new LifeboatError('usage', 'cannot name a backup after an invalid date');
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseBackupId(id: string): Date {
  const m = idPattern.exec(id);
  if (!m) throw new LifeboatError('usage', `"${id}" is not a backup id; ids look like 20261121T143000Z`);
  const [, y, mo, d, h, mi, s] = m;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  if (Number.isNaN(at.getTime()) || backupId(at) !== id) {
    throw new LifeboatError('usage', `"${id}" is not a valid UTC time`);
  }
  return at;
}

export function validateName(kind: 'cluster' | 'node', name: string): string {
  if (!namePattern.test(name)) {
    throw new LifeboatError(
      'usage',
      `${kind} name "${name}" is invalid: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit`,
    );
  }
  return name;
}

const extension: Record<Compression, string> = {
  zstd: '.tar.zst.pgp',
  gzip: '.tar.gz.pgp',
  none: '.tar.pgp',
};

export interface BackupRef {
  cluster: string;
  node: string;
  id: string;
}

export interface BackupKeys {
  /** The folder holding this node's backups. */
  dir: string;
  payload: string;
  metadata: string;
  signature: string;
}

/** Object keys of one backup, relative to the store's root; prefix may be empty. */
export function backupKeys(prefix: string, ref: BackupRef, compression: Compression): BackupKeys {
  validateName('cluster', ref.cluster);
  validateName('node', ref.node);
  parseBackupId(ref.id);
  const dir = [...prefix.split('/').filter(Boolean), ref.cluster, ref.node].join('/');
  const base = `${dir}/${ref.id}`;
  return {
    dir,
    payload: base + extension[compression],
    metadata: `${base}.json`,
    signature: `${base}.json.asc`,
  };
}

/** Reads a store key back into its parts, or undefined when it is not one of ours. */
export function parseBackupKey(
  key: string,
): (BackupRef & { kind: 'payload' | 'metadata' | 'signature'; compression?: Compression }) | undefined {
  const parts = key.split('/');
  if (parts.length < 3) return undefined;
  const file = parts.at(-1)!;
  const node = parts.at(-2)!;
  const cluster = parts.at(-3)!;
  if (!namePattern.test(cluster) || !namePattern.test(node)) return undefined;
  const id = file.slice(0, 16);
  if (!idPattern.test(id)) return undefined;
  const rest = file.slice(16);
  if (rest === '.json') return { cluster, node, id, kind: 'metadata' };
  if (rest === '.json.asc') return { cluster, node, id, kind: 'signature' };
  for (const [compression, ext] of Object.entries(extension)) {
    if (rest === ext) return { cluster, node, id, kind: 'payload', compression: compression as Compression };
  }
  return undefined;
}
