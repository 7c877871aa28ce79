// How objects map onto restic snapshots. Each put is one snapshot of one
// file: the key is the file's path inside the snapshot (so `restic dump`,
// `restic restore` and `restic ls` show the same names as the key), host is
// the backup's node and tags carry cluster, node, id and the key itself.
import { parseBackupKey } from '@lifeboat/core';

/** The tag on every snapshot this store makes; list only looks at these. */
export const storeTag = 'lifeboat';

/**
 * restic refuses to back up an empty stdin, so an empty object is a snapshot
 * of this one placeholder byte, tagged emptyTag; reads see zero bytes.
 */
export const emptyTag = 'empty';
export const emptyPlaceholder = Buffer.from('\n');

export interface Snapshot {
  id: string;
  time: Date;
  /** The key this snapshot holds. */
  key: string;
  /** The file's size, when the snapshot has a summary (restic ≥ 0.17) or is empty. */
  size?: number;
  /** An empty object: the snapshot holds emptyPlaceholder. */
  empty?: boolean;
}

// restic splits --tag values at commas; '%' escapes so the tag decodes back.
function tagValue(value: string): string {
  return value.replaceAll('%', '%25').replaceAll(',', '%2C');
}

/** `--host`/`--tag` arguments for a put of key: node as host, backup parts as tags when the key names a backup. */
export function snapshotLabels(key: string): string[] {
  const labels = [`--tag=${storeTag}`, `--tag=key=${tagValue(key)}`];
  const backup = parseBackupKey(key);
  if (backup) {
    labels.push(
      `--host=${backup.node}`,
      `--tag=cluster=${backup.cluster}`,
      `--tag=node=${backup.node}`,
      `--tag=id=${backup.id}`,
      `--tag=kind=${backup.kind}`,
    );
  }
  return labels;
}

interface SnapshotJson {
  id?: string;
  time?: string;
  paths?: string[];
  tags?: string[];
  summary?: { total_bytes_processed?: number };
}

/** Parses `restic snapshots --json`, keeping this store's one-file snapshots. */
export function parseSnapshots(json: string): Snapshot[] {
  const parsed = JSON.parse(json.trim() || '[]') as SnapshotJson[] | null;
  const snapshots: Snapshot[] = [];
  for (const s of parsed ?? []) {
    if (!s.id || !s.time || s.paths?.length !== 1 || !s.tags?.includes(storeTag)) continue;
    const key = s.paths[0]!.replace(/^\//, '');
    const snapshot: Snapshot = { id: s.id, time: new Date(s.time), key };
    const size = s.summary?.total_bytes_processed;
    if (s.tags.includes(emptyTag)) {
      snapshot.size = 0;
      snapshot.empty = true;
    } else if (typeof size === 'number') {
      snapshot.size = size;
    }
    snapshots.push(snapshot);
  }
  return snapshots;
}

/** The newest snapshot of each key: an overwrite leaves the old one until it is forgotten. */
export function newestByKey(snapshots: Snapshot[]): Map<string, Snapshot> {
  const newest = new Map<string, Snapshot>();
  for (const s of snapshots) {
    const seen = newest.get(s.key);
    if (!seen || s.time.getTime() > seen.time.getTime()) newest.set(s.key, s);
  }
  return newest;
}

interface FindJson {
  snapshot?: string;
  matches?: { path?: string; type?: string; size?: number }[];
}

/** File sizes by snapshot id from `restic find --json '*'` (restic < 0.17 has no summary to read them from). */
export function parseFindSizes(json: string, snapshots: Snapshot[]): Map<string, number> {
  const pathOf = new Map(snapshots.map((s) => [s.id, `/${s.key}`]));
  const sizes = new Map<string, number>();
  const parsed = JSON.parse(json.trim() || '[]') as FindJson[] | null;
  for (const result of parsed ?? []) {
    const path = result.snapshot && pathOf.get(result.snapshot);
    if (!path) continue;
    const file = result.matches?.find((m) => m.type === 'file' && m.path === path);
    if (file) sizes.set(result.snapshot!, file.size ?? 0);
  }
  return sizes;
}
