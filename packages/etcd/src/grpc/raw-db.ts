// The offline source: etcd's own database file (member/snap/db), for when
// etcd is down and cannot stream a snapshot. Only with an explicit flag: a
// file copied while etcd writes to it can be inconsistent, and nothing but
// the caller knows that etcd is stopped. The stream has the same shape as a
// streamed snapshot, db + sha256 trailer computed while reading, so the rest
// of a backup (and `etcdutl snapshot restore`) treats both alike.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { type SnapshotSource, trailerSize } from './snapshot-stream.ts';

export interface OpenRawDbOptions {
  /** Must be true: reading a raw db is a deliberate choice (see above). */
  allowRaw?: boolean;
}

const boltMagic = 0xed0cdaed;
const metaPageFlag = 0x04;

class RawDbStream extends Transform implements SnapshotSource {
  readonly path: string;
  readonly dbSize: number;
  #hash = createHash('sha256');
  #read = 0;
  #digest: string | undefined;

  constructor(path: string, dbSize: number) {
    super({ readableHighWaterMark: 1024 * 1024 });
    this.path = path;
    this.dbSize = dbSize;
    // As with SnapshotStream: an error is kept (`errored`) for pipeline() and
    // async iteration, not thrown at whoever has not subscribed yet.
    this.on('error', () => {});
  }

  get totalSize(): number {
    return this.dbSize + trailerSize;
  }

  get sha256(): string | undefined {
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#read += chunk.length;
    if (this.#read > this.dbSize) {
      callback(changed(this.path));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#read !== this.dbSize) {
      callback(changed(this.path));
      return;
    }
    const digest = this.#hash.digest();
    this.#digest = digest.toString('hex');
    callback(null, digest);
  }
}

function changed(path: string): LifeboatError {
  return new LifeboatError(
    'integrity',
    `${path} changed size while it was read: is etcd still running? Stop etcd first or take the snapshot over gRPC`,
  );
}

function fileError(path: string, err: unknown): LifeboatError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new LifeboatError('not-found', `${path} does not exist; point at etcd's member/snap/db`, {
      cause: err,
    });
  }
  if (code === 'EACCES') {
    return new LifeboatError('io', `cannot read ${path}: permission denied; run as root on the node`, {
      cause: err,
    });
  }
  return new LifeboatError('io', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
}

/** Opens a raw bbolt database (etcd's member/snap/db) as a snapshot source. */
export async function openRawDb(path: string, options: OpenRawDbOptions = {}): Promise<SnapshotSource> {
  if (options.allowRaw !== true) {
    throw new LifeboatError(
      'usage',
      `${path} would be read as a raw etcd database; that is only safe while etcd is stopped, so it needs an explicit flag (allowRaw, --raw-db on the CLI)`,
    );
  }
  let size: number;
  const header = Buffer.alloc(32);
  try {
    const handle = await open(path, 'r');
    try {
      size = (await handle.stat()).size;
      await handle.read(header, 0, header.length, 0);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fileError(path, err);
  }
  // Page 0 is a bbolt meta page: a 16-byte page header (flags at 8), then magic and page size.
  const magic = header.readUInt32LE(16);
  const flags = header.readUInt16LE(8);
  const pageSize = header.readUInt32LE(24);
  if (size < 32 || magic !== boltMagic || flags !== metaPageFlag) {
    throw new LifeboatError('integrity', `${path} is not a bbolt database (no bbolt meta page at its start)`);
  }
  if (pageSize === 0 || size % pageSize !== 0) {
    // A streamed snapshot is db + 32 bytes; a raw db is whole pages.
    const hint =
      size % pageSize === trailerSize ? ': it looks like a snapshot file, which needs no --raw-db' : '';
    throw new LifeboatError('integrity', `${path} is not a whole number of ${pageSize}-byte pages${hint}`);
  }
  const stream = new RawDbStream(path, size);
  const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
  source.on('error', (err) => stream.destroy(fileError(path, err)));
  stream.on('close', () => source.destroy());
  source.pipe(stream);
  return stream;
}
