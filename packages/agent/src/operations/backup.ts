// `lifeboat backup`, the main job, as one streaming pipeline:
//   etcd Snapshot → tar (snapshot, /etc/kubernetes, manifest) → compression
//   → OpenPGP encrypt + sign → store (which hashes what it writes)
// then the commit: the metadata's detached signature, and the metadata itself
// last. A backup exists only once its metadata does, so a failure anywhere
// before that leaves at most an incomplete payload, which we also remove.
import { pipeline, Readable } from 'node:stream';
import { compressor, pack } from '@lifeboat/bundle';
import {
  type BackupKeys,
  type BackupMetadata,
  backupId,
  backupKeys,
  type Compression,
  LifeboatError,
  metadataFormat,
  serializeMetadata,
} from '@lifeboat/core';
import { EtcdClient, type EtcdClientOptions } from '@lifeboat/etcd';
import {
  encryptionProfile,
  encryptStream,
  type Recipient,
  type SigningKey,
  signDetached,
} from '@lifeboat/pgp';
import type { BackupStore } from '@lifeboat/stores';

export interface BackupOptions {
  store: BackupStore;
  cluster: string;
  node: string;
  kubernetesDir: string;
  etcd: EtcdClientOptions;
  recipients: readonly Recipient[];
  signingKey?: SigningKey;
  compression: Compression;
  agentVersion: string;
  signal?: AbortSignal;
  /** The clock; tests pin it. */
  now?: () => Date;
  /** Bytes of snapshot read so far, and the snapshot's total. */
  onProgress?: (snapshotBytes: number, snapshotTotal: number) => void;
}

export interface BackupResult {
  metadata: BackupMetadata;
  keys: BackupKeys;
  durationMs: number;
  /** Files in /etc/kubernetes that were left out (sockets, FIFOs). */
  skipped: string[];
}

/**
 * The id is the start time to the second. Two runs in the same second (a manual
 * backup beside the CronJob's, a retried Job) must not share objects: if this
 * second's id is taken, wait for the next one.
 */
async function freshId(o: BackupOptions, now: () => Date) {
  for (let attempt = 0; ; attempt++) {
    const started = now();
    const ref = { cluster: o.cluster, node: o.node, id: backupId(started) };
    const keys = backupKeys('', ref, o.compression);
    const taken = (await o.store.stat(keys.metadata)) ?? (await o.store.stat(keys.payload));
    if (!taken) return { started, ref, keys };
    if (attempt >= 3) {
      throw new LifeboatError(
        'store',
        `backup ${ref.id} of ${o.cluster}/${o.node} already exists and the clock does not move on`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000 - (started.getTime() % 1000) + 5));
  }
}

/** Runs a pipeline without awaiting it; errors travel to the last stream. */
function chain(...streams: NodeJS.ReadWriteStream[] | [Readable, ...NodeJS.ReadWriteStream[]]) {
  pipeline(streams as never, () => {});
  return streams.at(-1) as unknown as Readable;
}

export async function runBackup(o: BackupOptions): Promise<BackupResult> {
  const now = o.now ?? (() => new Date());
  if (o.recipients.length === 0)
    throw new LifeboatError('usage', 'no recipient keys: pass at least one --recipient');
  const { started, ref, keys } = await freshId(o, now);
  const profile = await encryptionProfile(o.recipients);
  const client = new EtcdClient({ ...o.etcd, ...(o.signal ? { signal: o.signal } : {}) });
  // What this run wrote, and so may remove again on failure: never someone else's objects.
  const written: string[] = [];
  let progress: NodeJS.Timeout | undefined;
  try {
    const snapshot = await client.snapshot();
    // Polled rather than a 'data' listener, which would switch the stream to flowing mode.
    progress = setInterval(() => o.onProgress?.(snapshot.received, snapshot.totalSize), 250);
    const packed = pack({
      // The snapshot stream hashes every byte for etcd's trailer; the manifest reuses that pass.
      snapshot: { stream: snapshot, size: snapshot.totalSize, sha256: () => snapshot.fileSha256 },
      kubernetesDir: o.kubernetesDir,
      ...(o.signal ? { signal: o.signal } : {}),
      now: started,
    });
    packed.result.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    // The tar stream comes in 512 KiB chunks (TarWriter): few, large chunks into zlib and OpenPGP.
    const compressed = chain(packed.stream, compressor(o.compression));
    const encrypted = encryptStream({
      input: compressed,
      recipients: o.recipients,
      ...(o.signingKey ? { signingKey: o.signingKey } : {}),
      profile,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    // Every store hashes what it writes: the metadata's digest comes from there, not a second pass.
    const payload = await o.store.put(keys.payload, encrypted, o.signal ? { signal: o.signal } : {});
    written.push(keys.payload);
    const packResult = await packed.result;
    o.onProgress?.(snapshot.received, snapshot.totalSize);
    if (!snapshot.sha256)
      throw new LifeboatError('integrity', 'the snapshot ended without a verified sha256');

    const metadata: BackupMetadata = {
      format: metadataFormat,
      id: ref.id,
      cluster: ref.cluster,
      node: ref.node,
      created: started.toISOString(),
      finished: now().toISOString(),
      agentVersion: o.agentVersion,
      etcd: {
        endpoint: snapshot.endpoint,
        serverVersion: snapshot.status.version,
        revision: snapshot.status.revision,
        dbSize: snapshot.dbSize,
        memberId: snapshot.status.memberId,
        clusterId: snapshot.status.clusterId,
        snapshotSha256: snapshot.sha256,
      },
      payload: {
        key: keys.payload,
        size: payload.size,
        sha256: payload.sha256,
        compression: o.compression,
        recipients: o.recipients.map((r) => r.fingerprint),
        ...(o.signingKey ? { signer: o.signingKey.fingerprint } : {}),
      },
      kubernetes: { files: packResult.files, bytes: packResult.bytes },
    };
    const bytes = serializeMetadata(metadata);
    if (o.signingKey) {
      const signature = await signDetached(bytes, o.signingKey);
      await o.store.put(
        keys.signature,
        Readable.from([Buffer.from(signature)]),
        o.signal ? { signal: o.signal } : {},
      );
      written.push(keys.signature);
    }
    // The commit marker: from here on the backup exists.
    await o.store.put(keys.metadata, Readable.from([bytes]), o.signal ? { signal: o.signal } : {});
    return {
      metadata,
      keys,
      durationMs: now().getTime() - started.getTime(),
      skipped: packResult.skipped.map((s) => s.path),
    };
  } catch (err) {
    // Nothing lists a payload without metadata as a backup; remove it anyway so
    // failed runs do not pile up until retention's grace period.
    await Promise.allSettled(written.map((key) => o.store.delete(key)));
    if (o.signal?.aborted) {
      const why = o.signal.reason instanceof Error ? o.signal.reason.message : 'aborted';
      throw new LifeboatError('aborted', `backup cancelled (${why}); no backup was written`, { cause: err });
    }
    throw err;
  } finally {
    clearInterval(progress);
    client.close();
  }
}
