// The bundle stage of a backup: the etcd snapshot stream and the node's
// /etc/kubernetes become one tar stream —
//   etcd/snapshot.db        first, streamed straight from etcd (never a temp copy)
//   kubernetes/…            the tree, sorted, with modes, owners and mtimes
//   lifeboat/manifest.json  last: every entry's type, mode, size and sha256
// Digests are computed as the bytes flow, so the manifest costs no second read.
import { pipeline, Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { type Digest, DigestStream } from './digest.ts';
import { readTreeFile, type SkippedEntry, type TreeEntry, walkTree } from './kubernetes-tree.ts';
import {
  describeEntry,
  kubernetesRoot,
  type Manifest,
  type ManifestEntry,
  manifestFormat,
  manifestPath,
  serializeManifest,
  snapshotPath,
} from './manifest.ts';
import { abortedError } from './streams/aborted.ts';
import { produce } from './streams/produce.ts';
import type { TarHeader } from './tar/types.ts';
import { TarWriter } from './tar/writer.ts';

export interface PackOptions {
  /**
   * The snapshot as etcd streams it, and its exact size (database + sha256 trailer).
   * `sha256`, when the source hashes what it streams anyway (SnapshotStream.fileSha256),
   * gives the manifest its digest after the last byte, instead of a second pass here.
   */
  snapshot: { stream: Readable; size: number; sha256?: () => string | undefined };
  /** The node's /etc/kubernetes. */
  kubernetesDir: string;
  /** Cancels the whole stage: the tar stream fails and the snapshot stream is destroyed. */
  signal?: AbortSignal;
  /** mtime of the entries lifeboat creates (snapshot, manifest); default: now. */
  now?: Date;
}

export interface PackResult {
  /** Regular files and their bytes in the copied Kubernetes tree (the metadata's `kubernetes`). */
  files: number;
  bytes: number;
  manifest: Manifest;
  /** The snapshot as stored in the bundle. */
  snapshot: Digest;
  /** Bytes of the tar stream (before compression). */
  tarBytes: number;
  /** Sockets, FIFOs and devices found in the tree and left out. */
  skipped: SkippedEntry[];
}

export interface Packed {
  /** The tar bytes; pipe them into compression. */
  stream: Readable;
  /** Settles when the last byte was handed to `stream`; rejects on any failure or cancellation. */
  result: Promise<PackResult>;
}

export function pack(options: PackOptions): Packed {
  const { snapshot, kubernetesDir, signal } = options;
  const mtimeNs = BigInt((options.now ?? new Date()).getTime()) * 1_000_000n;
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (!Number.isSafeInteger(snapshot.size) || snapshot.size < 0) {
    throw new LifeboatError('usage', `snapshot size ${snapshot.size} is not a byte count`);
  }

  const { stream, done } = produce(async (push, inner): Promise<PackResult> => {
    const tar = new TarWriter(push, inner);
    const entries: ManifestEntry[] = [];
    const skipped: SkippedEntry[] = [];
    let files = 0;
    let bytes = 0;

    const dbHeader: TarHeader = {
      path: snapshotPath,
      type: 'file',
      mode: 0o600,
      size: snapshot.size,
      mtimeNs,
      ...owner,
    };
    const db = snapshot.sha256
      ? await addHashedFile(tar, dbHeader, snapshot.stream, snapshot.sha256)
      : await addFile(tar, dbHeader, snapshot.stream);
    entries.push(describeEntry(dbHeader, db));

    for await (const entry of walkTree(kubernetesDir, { onSkip: (s) => skipped.push(s) })) {
      inner.throwIfAborted();
      const header = treeHeader(entry);
      if (entry.type === 'file') {
        const digest = await addFile(tar, header, readTreeFile(entry));
        entries.push(describeEntry(header, digest));
        files++;
        bytes += digest.size;
      } else {
        await tar.add(header);
        entries.push(describeEntry(header));
      }
    }

    const manifest: Manifest = { format: manifestFormat, entries };
    const data = serializeManifest(manifest);
    const manifestHeader: TarHeader = {
      path: manifestPath,
      type: 'file',
      mode: 0o644,
      size: data.length,
      mtimeNs,
      ...owner,
    };
    await tar.add(manifestHeader, Readable.from([data]));
    await tar.end();
    return { files, bytes, manifest, snapshot: db, tarBytes: tar.bytes, skipped };
  });

  const result = done.catch((err: unknown) => {
    // Nothing upstream may keep running (or keep etcd streaming) once the stage failed.
    if (!snapshot.stream.destroyed) snapshot.stream.destroy();
    throw err;
  });
  result.catch(() => {});

  if (signal) {
    const onAbort = () => stream.destroy(abortedError(signal, 'the backup'));
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      done.then(
        () => signal.removeEventListener('abort', onAbort),
        () => signal.removeEventListener('abort', onAbort),
      );
    }
  }
  return { stream, result };
}

/** Streams one file into the archive through a digest. */
async function addFile(tar: TarWriter, header: TarHeader, body: Readable): Promise<Digest> {
  const digest = new DigestStream();
  // The callback form returns the digest stream; a failure on either side destroys both.
  await tar.add(
    header,
    pipeline(body, digest, () => {}),
  );
  return digest.digest;
}

/** Streams a file whose source reports its own sha256 once it has ended. */
async function addHashedFile(
  tar: TarWriter,
  header: TarHeader,
  body: Readable,
  sha256: () => string | undefined,
): Promise<Digest> {
  await tar.add(header, body);
  const hex = sha256();
  if (hex === undefined) {
    throw new LifeboatError('integrity', `${header.path} ended without the sha256 its source computes`);
  }
  // tar.add has checked the body delivered exactly header.size bytes.
  return { hex, size: header.size };
}

function treeHeader(entry: TreeEntry): TarHeader {
  const header: TarHeader = {
    path: entry.path === '' ? kubernetesRoot : `${kubernetesRoot}/${entry.path}`,
    type: entry.type,
    mode: Number(entry.stats.mode & 0o7777n),
    uid: Number(entry.stats.uid),
    gid: Number(entry.stats.gid),
    size: entry.type === 'file' ? Number(entry.stats.size) : 0,
    mtimeNs: entry.stats.mtimeNs,
  };
  if (entry.target !== undefined) header.linkname = entry.target;
  return header;
}
