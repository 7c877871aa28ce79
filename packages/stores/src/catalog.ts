// Turns a store listing into backups. A backup exists only when its metadata
// object (the commit marker) exists; a payload without metadata is an
// incomplete backup — shown as such, never as restorable.
import { type BackupRef, type Compression, parseBackupKey } from '@lifeboat/core';
import type { ObjectInfo } from './store.ts';

export interface CatalogEntry extends BackupRef {
  /** When the backup started (from its id). */
  time: Date;
  complete: boolean;
  payload?: ObjectInfo & { compression: Compression };
  metadata?: ObjectInfo;
  signature?: ObjectInfo;
  /** Every object key that belongs to this backup, for deletion. */
  keys: string[];
}

const refKey = (r: BackupRef) => `${r.cluster}/${r.node}/${r.id}`;

/** Groups listed objects into backups, newest first within each cluster/node. */
export async function catalog(
  objects: AsyncIterable<ObjectInfo> | Iterable<ObjectInfo>,
): Promise<CatalogEntry[]> {
  const byRef = new Map<string, CatalogEntry>();
  for await (const object of objects) {
    const parsed = parseBackupKey(object.key);
    if (!parsed) continue;
    const key = refKey(parsed);
    let entry = byRef.get(key);
    if (!entry) {
      const iso = parsed.id.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
      entry = {
        cluster: parsed.cluster,
        node: parsed.node,
        id: parsed.id,
        time: new Date(iso),
        complete: false,
        keys: [],
      };
      byRef.set(key, entry);
    }
    entry.keys.push(object.key);
    if (parsed.kind === 'payload') entry.payload = { ...object, compression: parsed.compression! };
    else if (parsed.kind === 'metadata') entry.metadata = object;
    else entry.signature = object;
  }
  const entries = [...byRef.values()];
  for (const e of entries) e.complete = e.metadata !== undefined && e.payload !== undefined;
  return entries.sort(
    (a, b) => a.cluster.localeCompare(b.cluster) || a.node.localeCompare(b.node) || b.id.localeCompare(a.id),
  );
}
