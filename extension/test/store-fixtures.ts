// Backups in a real folder store, made by hand: a payload of random bytes and
// metadata whose size and sha256 match it (or not, to fail verification).
// Enough for the tree and the keyless verify; the e2e suites use real ones.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BackupMetadata, backupId, backupKeys, metadataFormat, serializeMetadata } from '@lifeboat/core';

export function metadataFor(
  ref: { cluster: string; node: string; id: string },
  payload: Buffer,
  revision = 100,
): BackupMetadata {
  const keys = backupKeys('', ref, 'zstd');
  const created = `${ref.id.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6')}.000Z`;
  return {
    format: metadataFormat,
    ...ref,
    created,
    finished: created,
    agentVersion: '0.1.0',
    etcd: {
      endpoint: 'https://10.0.0.11:2379',
      serverVersion: '3.6.16',
      revision,
      dbSize: 25_165_824,
      memberId: '8e9e05c52164694d',
      clusterId: 'cdf818194e3a8c32',
      snapshotSha256: 'a'.repeat(64),
    },
    payload: {
      key: keys.payload,
      size: payload.length,
      sha256: createHash('sha256').update(payload).digest('hex'),
      compression: 'zstd',
      recipients: ['0123456789ABCDEF0123456789ABCDEF01234567'],
    },
    kubernetes: { files: 42, bytes: 123_456 },
  };
}

export interface FolderStore {
  dir: string;
  url: string;
  remove: () => Promise<void>;
}

export async function folderStore(): Promise<FolderStore> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-ext-store-'));
  return { dir, url: `file://${dir}`, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function put(dir: string, key: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(join(dir, key)), { recursive: true });
  await writeFile(join(dir, key), data);
}

/**
 * Writes backups of cluster/node taken every hour back from `newest`;
 * `damage` flips the payload of those indexes after the metadata is written.
 */
export async function writeBackups(
  store: FolderStore,
  o: {
    cluster: string;
    node: string;
    count: number;
    newest: Date;
    incomplete?: number[];
    damage?: number[];
    payloadBytes?: number;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const id = backupId(new Date(o.newest.getTime() - i * 3_600_000));
    const ref = { cluster: o.cluster, node: o.node, id };
    const payload = randomBytes(o.payloadBytes ?? 64);
    const keys = backupKeys('', ref, 'zstd');
    await put(
      store.dir,
      keys.payload,
      o.damage?.includes(i) ? Buffer.concat([payload, Buffer.from('x')]) : payload,
    );
    if (!o.incomplete?.includes(i))
      await put(store.dir, keys.metadata, serializeMetadata(metadataFor(ref, payload, 1000 - i)));
    ids.push(id);
  }
  return ids;
}
