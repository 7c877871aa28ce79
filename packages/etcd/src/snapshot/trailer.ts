// The 32-byte sha256 trailer `etcdctl snapshot save` appends to the db: the
// digest of every byte before it. Checked by reading the file once more,
// sequentially; for large files in a worker thread, so hashing runs on another
// core while the main thread walks the pages.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { LifeboatError } from '@lifeboat/core';
import { type BoltDb, trailerSize } from '../bbolt/bolt-db.ts';
import {
  dataOffset,
  SharedBlocks,
  sharedBlockSize,
  sharedBlocksWriterSource,
} from '../bbolt/shared-blocks.ts';

export type TrailerCheck = 'verify' | 'require' | 'ignore';

export type TrailerState = 'valid' | 'absent' | 'unchecked';

/** Below this, starting a worker costs more than it saves. */
const workerThreshold = 64 * 1024 * 1024;
const chunkSize = 1024 * 1024;

export interface TrailerOptions {
  /**
   * When the check runs in a worker, let walks of `db` on this thread copy the
   * blocks the worker reads instead of reading them again (8 MiB of shared
   * ring): for a caller that walks the db while the trailer is checked.
   */
  shareBlocks?: boolean;
  /** false: hash on this thread even for a large file (see checkTrailer). */
  inWorker?: boolean;
}

/**
 * Checks the trailer: 'verify' checks it when the file has one, 'require' also
 * refuses a file without one (a raw member/snap/db), 'ignore' skips the check.
 * `inWorker: false` hashes on this thread even for a large file (reads still run
 * alongside): slower, but without a worker's heap, which stays resident after it
 * ends (glibc keeps the thread's malloc arena).
 */
export async function checkTrailer(
  db: BoltDb,
  mode: TrailerCheck,
  signal?: AbortSignal,
  options: TrailerOptions = {},
): Promise<TrailerState> {
  if (mode === 'ignore') return 'unchecked';
  if (!db.hasTrailer) {
    if (mode === 'require') {
      throw new LifeboatError(
        'integrity',
        `${db.path} has no sha256 trailer (${db.fileSize} bytes is whole pages): not a saved snapshot, or its last ${trailerSize} bytes were cut off`,
      );
    }
    return 'absent';
  }
  const { digest, stored } =
    db.dbSize >= workerThreshold && options.inWorker !== false
      ? await hashInWorker(db, signal, options.shareBlocks ?? false)
      : await hashHere(db, signal);
  if (!digest.equals(stored)) {
    throw new LifeboatError(
      'integrity',
      `${db.path} is damaged: its sha256 trailer ${stored.toString('hex').slice(0, 16)}… does not match the data (${digest.toString('hex').slice(0, 16)}…)`,
    );
  }
  return 'valid';
}

interface Hashed {
  digest: Buffer;
  stored: Buffer;
}

async function hashHere(db: BoltDb, signal?: AbortSignal): Promise<Hashed> {
  const hash = createHash('sha256');
  // One buffer, reused: a stream would allocate a chunk per read, as much garbage as the file.
  const chunk = Buffer.allocUnsafeSlow(chunkSize);
  const stored = Buffer.alloc(trailerSize);
  const handle = await open(db.path, 'r');
  try {
    for (let position = 0; position < db.fileSize; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(
        chunk,
        0,
        Math.min(chunk.length, db.fileSize - position),
        position,
      );
      if (bytesRead === 0) throw shrank(db.path, position);
      const data = Math.max(0, Math.min(bytesRead, db.dbSize - position));
      hash.update(chunk.subarray(0, data));
      if (data < bytesRead) chunk.copy(stored, position + data - db.dbSize, data, bytesRead);
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { digest: hash.digest(), stored };
}

function shrank(path: string, position: number): LifeboatError {
  return new LifeboatError('integrity', `${path} shrank while being read (ended at ${position} bytes)`);
}

// The same loop for a worker thread, as source text: an eval'd worker needs no
// file of its own, so this survives bundling. With `shared`, blocks are read
// into the shared ring (see shared-blocks.ts) and hashed there.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
${sharedBlocksWriterSource}
const { path, dbSize, fileSize, chunkSize, trailerSize, shared } = workerData;
const hash = createHash('sha256');
const stored = Buffer.alloc(trailerSize);
const fd = openSync(path, 'r');
/** Reads view.length bytes at position, fewer only at the end of the file. */
const readAll = (view, position) => {
  let done = 0;
  while (done < view.length) {
    const n = readSync(fd, view, done, view.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
};
const fill = shared ? sharedBlocksWriter(shared.buffer, shared.slots, chunkSize, shared.dataOffset) : undefined;
const chunk = shared ? undefined : Buffer.allocUnsafeSlow(chunkSize);
try {
  for (let position = 0, index = 0; position < fileSize; index++) {
    const length = Math.min(chunkSize, fileSize - position);
    const bytes = fill
      ? fill(index, length, (view) => readAll(view, position))
      : chunk.subarray(0, readAll(chunk.subarray(0, length), position));
    if (bytes.length < length) { parentPort.postMessage({ shrankAt: position + bytes.length }); return; }
    const data = Math.max(0, Math.min(length, dbSize - position));
    hash.update(bytes.subarray(0, data));
    if (data < length) bytes.copy(stored, position + data - dbSize, data, length);
    position += length;
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage({ digest: hash.digest(), stored });
`;

function hashInWorker(db: BoltDb, signal: AbortSignal | undefined, share: boolean): Promise<Hashed> {
  signal?.throwIfAborted();
  const shared = share ? new SharedBlocks() : undefined;
  const worker = new Worker(`(() => {${workerSource}})()`, {
    eval: true,
    workerData: {
      path: db.path,
      dbSize: db.dbSize,
      fileSize: db.fileSize,
      chunkSize: shared ? sharedBlockSize : chunkSize,
      trailerSize,
      shared: shared && { buffer: shared.buffer, slots: shared.slots, dataOffset: dataOffset(shared.slots) },
    },
  });
  db.shareBlocks(shared);
  let onAbort: (() => void) | undefined;
  return new Promise<Hashed>((resolve, reject) => {
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { digest?: Uint8Array; stored?: Uint8Array; shrankAt?: number }) => {
      if (m.shrankAt !== undefined) reject(shrank(db.path, m.shrankAt));
      else resolve({ digest: Buffer.from(m.digest!), stored: Buffer.from(m.stored!) });
    });
    worker.once('error', (err) => {
      reject(
        new LifeboatError('io', `cannot read ${db.path} to check its sha256 trailer: ${err.message}`, {
          cause: err,
        }),
      );
    });
    worker.once('exit', (code) => {
      reject(new LifeboatError('io', `the sha256 check of ${db.path} stopped (worker exit ${code})`));
    });
  }).finally(() => {
    // However it settled (result, error, exit, abort): no listener, no ring, no worker left.
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    shared?.stop();
    db.shareBlocks(undefined);
    void worker.terminate();
  });
}
