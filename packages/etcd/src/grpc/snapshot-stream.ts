// The bytes `etcdctl snapshot save` writes, as a stream: the database in
// etcd's chunks, then the 32-byte sha256 etcd sends last, checked here before
// it is passed on. Anything short of a verified end (a wrong checksum, a
// stream that stops early, a server error, a dead connection, silence past
// the idle timeout, an abort) destroys the stream with an error, so a consumer
// never mistakes a damaged snapshot for a complete one.
//
// Sizes, measured against etcd 3.4, 3.5 and 3.6: the first message's
// blob.length + remaining_bytes is the database size alone (etcd's
// remaining_bytes never counts the checksum message), so the stream yields
// dbSize + 32 bytes: `totalSize`.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { LifeboatError } from '@lifeboat/core';
import { type ClassifiedFailure, type GrpcFailure, isGrpcFailure } from './errors.ts';
import type { SnapshotResponse } from './messages.ts';
import type { EtcdStatus } from './status.ts';

export const trailerSize = 32;

/** What every snapshot source exposes besides its bytes. */
export interface SnapshotSource extends Readable {
  /** Database bytes, without the trailer. */
  readonly dbSize: number;
  /** Bytes the stream yields: dbSize + the 32-byte sha256 trailer. */
  readonly totalSize: number;
  /** Hex sha256 of the database bytes (the trailer), once the stream has ended cleanly. */
  readonly sha256: string | undefined;
}

export interface SnapshotStreamOptions {
  endpoint: string;
  /** Maintenance/Status of the same member, just before the snapshot started. */
  status: EtcdStatus;
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Classifies a gRPC failure given the bytes received so far. */
  classify: (failure: GrpcFailure, received: number, dbSize: number | undefined) => ClassifiedFailure;
}

/** Rejects `ready` when the stream fails before its first message, with what happened. */
export class SnapshotStartFailure extends Error {
  readonly failure: ClassifiedFailure | undefined;
  constructor(error: LifeboatError, failure?: ClassifiedFailure) {
    super(error.message, { cause: error });
    this.name = 'SnapshotStartFailure';
    this.failure = failure;
  }
  get error(): LifeboatError {
    return this.cause as LifeboatError;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export class SnapshotStream extends Readable implements SnapshotSource {
  readonly endpoint: string;
  readonly status: EtcdStatus;
  /** Resolves once the first message arrived and the sizes are known. */
  readonly ready: Promise<void>;
  #dbSize: number | undefined;
  #storageVersion = '';
  #received = 0;
  /** The checksum etcd sent, once it matched; `sha256` only after a clean end. */
  #verified: string | undefined;
  #digest: string | undefined;
  #fileDigest: string | undefined;
  #hash = createHash('sha256');
  #call: ClientReadableStream<SnapshotResponse>;
  #options: SnapshotStreamOptions;
  #paused = false;
  #settled = false;
  #idle: NodeJS.Timeout;
  #resolveReady!: () => void;
  #rejectReady!: (err: SnapshotStartFailure) => void;
  #onAbort = () => this.#fail(new LifeboatError('aborted', 'snapshot cancelled'));

  constructor(call: ClientReadableStream<SnapshotResponse>, options: SnapshotStreamOptions) {
    // Enough buffered to keep the disk or upload busy; the rest waits in etcd (HTTP/2 flow control).
    super({ highWaterMark: 1024 * 1024 });
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.#call = call;
    this.#options = options;
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {}); // its rejection is reported to whoever awaits it, not as unhandled
    // An error can land between `ready` and the consumer's first listener; the stream
    // keeps it (`errored`), and pipeline() and async iteration report it from there.
    this.on('error', () => {});
    this.#idle = setTimeout(() => this.#onIdle(), options.idleTimeoutMs);
    call.on('data', (m: SnapshotResponse) => this.#onMessage(m));
    call.on('end', () => this.#onEnd());
    call.on('error', (err: unknown) => this.#onError(err));
    if (options.signal?.aborted) queueMicrotask(this.#onAbort);
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get dbSize(): number {
    if (this.#dbSize === undefined) throw new Error('SnapshotStream.dbSize is known only after `ready`');
    return this.#dbSize;
  }

  get totalSize(): number {
    return this.dbSize + trailerSize;
  }

  /** Bytes received so far (database bytes, then the trailer). */
  get received(): number {
    return this.#received + (this.#verified ? trailerSize : 0);
  }

  get sha256(): string | undefined {
    return this.#digest;
  }

  /**
   * sha256 of the file `etcdctl snapshot save` writes, the database followed by
   * the trailer, after a clean end: what a bundle manifest records for it,
   * without hashing the bytes a second time.
   */
  get fileSha256(): string | undefined {
    return this.#digest === undefined ? undefined : this.#fileDigest;
  }

  /** SnapshotResponse.version: the member's storage version (etcd 3.6+), else undefined. */
  get storageVersion(): string | undefined {
    return this.#storageVersion || undefined;
  }

  #onMessage(m: SnapshotResponse): void {
    if (this.#settled) return;
    this.#idle.refresh();
    const blob = Buffer.from(m.blob.buffer, m.blob.byteOffset, m.blob.byteLength);
    if (this.#verified !== undefined) {
      this.#fail(this.#integrity('etcd sent more data after the checksum'));
      return;
    }
    if (this.#dbSize === undefined) {
      const size = BigInt(blob.length) + m.remainingBytes;
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.#fail(this.#integrity(`etcd announced an impossible snapshot size (${size} bytes)`));
        return;
      }
      this.#dbSize = Number(size);
      this.#storageVersion = m.version;
      this.#resolveReady();
    }
    const dbSize = this.#dbSize;
    let more: boolean;
    if (this.#received < dbSize) {
      const after = this.#received + blob.length;
      if (after > dbSize) {
        this.#fail(this.#integrity(`etcd sent ${after - dbSize} bytes more than the ${dbSize} it announced`));
        return;
      }
      if (BigInt(dbSize - after) !== m.remainingBytes) {
        this.#fail(
          this.#integrity(
            `etcd's remaining_bytes (${m.remainingBytes}) disagrees with the ${dbSize - after} still due`,
          ),
        );
        return;
      }
      this.#hash.update(blob);
      this.#received = after;
      more = this.push(blob);
    } else {
      if (blob.length !== trailerSize) {
        this.#fail(this.#integrity(`etcd's final message has ${blob.length} bytes, not a 32-byte sha256`));
        return;
      }
      // The database's digest continued over the trailer: the file's digest, from the same pass.
      const file = this.#hash.copy().update(blob);
      const digest = this.#hash.digest();
      if (!digest.equals(blob)) {
        this.#fail(
          this.#integrity(
            `sha256 mismatch: the ${dbSize} bytes received hash to ${digest.toString('hex')}, etcd says ${blob.toString('hex')}`,
          ),
        );
        return;
      }
      this.#verified = digest.toString('hex');
      this.#fileDigest = file.digest('hex');
      more = this.push(blob);
    }
    if (!more) {
      // Backpressure: stop taking messages, and the idle clock with them.
      this.#paused = true;
      this.#call.pause();
      clearTimeout(this.#idle);
    }
  }

  override _read(): void {
    if (this.#paused && !this.#settled) {
      this.#paused = false;
      this.#idle.refresh();
      this.#call.resume();
    }
  }

  #onEnd(): void {
    if (this.#settled) return;
    if (this.#verified === undefined) {
      const dbSize = this.#dbSize;
      this.#fail(
        this.#integrity(
          dbSize === undefined
            ? 'etcd ended the snapshot stream without sending any data'
            : this.#received < dbSize
              ? `etcd ended the snapshot after ${this.#received} of ${dbSize} bytes`
              : 'etcd ended the snapshot without its sha256 checksum',
        ),
      );
      return;
    }
    this.#finish();
    this.#digest = this.#verified;
    this.push(null);
  }

  #onError(err: unknown): void {
    if (this.#settled) return;
    if (!isGrpcFailure(err)) {
      this.#fail(
        new LifeboatError('etcd', `snapshot from ${this.endpoint} failed: ${String(err)}`, { cause: err }),
      );
      return;
    }
    const failure = this.#options.classify(err, this.#received, this.#dbSize);
    this.#fail(failure.error, failure);
  }

  #onIdle(): void {
    const where =
      this.#dbSize === undefined
        ? 'before the first byte'
        : `after ${mib(this.#received)} of ${mib(this.#dbSize)}`;
    this.#fail(
      new LifeboatError(
        'etcd',
        `etcd at ${this.endpoint} sent nothing for ${this.#options.idleTimeoutMs / 1000}s during the snapshot (${where}); check its health and load, then retry`,
      ),
    );
  }

  #integrity(what: string): LifeboatError {
    return new LifeboatError('integrity', `snapshot from ${this.endpoint} is damaged: ${what}`);
  }

  #finish(): void {
    this.#settled = true;
    clearTimeout(this.#idle);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
  }

  #fail(error: LifeboatError, failure?: ClassifiedFailure): void {
    if (this.#settled) return;
    this.#finish();
    this.#call.cancel();
    if (this.#dbSize === undefined) {
      // Nobody holds the stream yet: the failure goes to `ready`, not to an 'error' event.
      this.#rejectReady(new SnapshotStartFailure(error, failure));
      this.destroy();
    } else {
      this.destroy(error);
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#settled) {
      // The consumer gave up (or a pipeline failed downstream): stop etcd sending.
      this.#finish();
      this.#call.cancel();
      this.#rejectReady(new SnapshotStartFailure(new LifeboatError('aborted', 'snapshot stream destroyed')));
    }
    callback(err);
  }
}
