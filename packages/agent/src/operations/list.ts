// What a store holds: every backup with its metadata (read and validated),
// and every incomplete one (a payload without metadata) marked as such.
import { type BackupMetadata, errorLine, parseMetadata } from '@lifeboat/core';
import { type BackupStore, type CatalogEntry, catalog } from '@lifeboat/stores';

export interface ListedBackup {
  id: string;
  cluster: string;
  node: string;
  time: string;
  /** complete: metadata and payload present and the metadata valid. */
  state: 'complete' | 'incomplete' | 'invalid';
  payloadSize?: number;
  metadata?: BackupMetadata;
  problem?: string;
}

export async function readText(store: BackupStore, key: string, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.get(key)) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`${key} is larger than ${limit} bytes; not a lifeboat metadata file`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readMetadata(store: BackupStore, key: string): Promise<BackupMetadata> {
  const text = await readText(store, key);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${key} is not JSON`);
  }
  return parseMetadata(json, key);
}

/** One catalog entry as a listed backup: its metadata read and validated when it is complete. */
export async function describeBackup(store: BackupStore, e: CatalogEntry): Promise<ListedBackup> {
  const base = {
    id: e.id,
    cluster: e.cluster,
    node: e.node,
    time: e.time.toISOString(),
    ...(e.payload ? { payloadSize: e.payload.size } : {}),
  };
  if (!e.metadata)
    return { ...base, state: 'incomplete', problem: 'no metadata: the run failed or is still uploading' };
  if (!e.payload) return { ...base, state: 'invalid', problem: 'metadata without its payload' };
  try {
    return { ...base, state: 'complete', metadata: await readMetadata(store, e.metadata.key) };
  } catch (err) {
    return { ...base, state: 'invalid', problem: errorLine(err) };
  }
}

/** Newest first; metadata read a few at a time. */
export async function listBackups(
  store: BackupStore,
  filter: { cluster?: string; node?: string } = {},
): Promise<ListedBackup[]> {
  const prefix = filter.cluster ? `${filter.cluster}/${filter.node ? `${filter.node}/` : ''}` : '';
  const entries = (await catalog(store.list(prefix)))
    .filter(
      (e) => (!filter.cluster || e.cluster === filter.cluster) && (!filter.node || e.node === filter.node),
    )
    .sort(
      (a, b) =>
        b.id.localeCompare(a.id) || a.cluster.localeCompare(b.cluster) || a.node.localeCompare(b.node),
    );
  return describeBackups(store, entries);
}

/** describeBackup for each entry, in order, a few metadata reads at a time. */
export async function describeBackups(
  store: BackupStore,
  entries: readonly CatalogEntry[],
  concurrency = 8,
): Promise<ListedBackup[]> {
  const out: ListedBackup[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      out[i] = await describeBackup(store, entries[i]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
