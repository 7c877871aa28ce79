// The streaming upload behind S3Store.put: a multipart upload whose parts are
// copied into a fixed set of part buffers that are reused, not allocated per
// part. lib-storage's Upload (used before) concatenates each part from the
// body's chunks into a new Buffer: with 8 MiB parts that is a fresh 8 MiB
// ArrayBuffer every part, alive long enough to reach V8's old generation,
// freed only by a full GC that external-memory pressure starts at about
// 64 MiB of garbage. A 1 GiB backup peaked at 100+ MiB of ArrayBuffers for
// 40 MiB of parts in use; with the pool it is the pool (see docs/BENCHMARKS.md).
//
// Same protocol as lib-storage: a body that fits one part is one PutObject;
// otherwise CreateMultipartUpload when the first part is ready, UploadPart
// with up to queueSize in flight, CompleteMultipartUpload with every part's
// ETag and checksum. On failure nothing is aborted here: the caller aborts
// the upload (with retries) through `uploadId`.
import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { LifeboatError } from '@lifeboat/core';

/** S3's limit on parts per upload. */
export const maxParts = 10_000;

/** The first buffer starts this small and doubles, so small objects never allocate a whole part. */
const firstBufferSize = 64 * 1024;

/** The commands an upload sends. */
export type UploadCommand =
  | PutObjectCommand
  | CreateMultipartUploadCommand
  | UploadPartCommand
  | CompleteMultipartUploadCommand;

type Send = (command: UploadCommand) => Promise<unknown>;

export interface PooledUploadOptions {
  /** Sends one command; the caller's version cancels requests and records the first failure. */
  send: Send;
  /** Whether the client computes checksums wherever supported (the SDK's requestChecksumCalculation). */
  checksumWhenSupported: () => Promise<boolean>;
  /** Bucket, Key and what putParams() adds (encryption, storage class, Object Lock, checksum). */
  params: PutObjectCommandInput & { Bucket: string; Key: string };
  body: AsyncIterable<Uint8Array>;
  partSize: number;
  queueSize: number;
}

export class PooledUpload {
  /** Set once CreateMultipartUpload answered: what the caller aborts after a failure. */
  uploadId: string | undefined;
  readonly #options: PooledUploadOptions;
  /** Part buffers not in flight; at most queueSize + 1 ever exist (one filling). */
  readonly #free: Buffer[] = [];
  #allocated = 0;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: CompletedPart[] = [];
  #created: Promise<string> | undefined;

  constructor(options: PooledUploadOptions) {
    this.#options = options;
  }

  async done(): Promise<void> {
    const { partSize } = this.#options;
    let part = this.#allocate(Math.min(firstBufferSize, partSize));
    let filled = 0;
    let partNumber = 0;
    try {
      for await (const chunk of this.#options.body) {
        let at = 0;
        while (at < chunk.length) {
          if (filled === partSize) {
            // More bytes after a full part: it is not the last one, so it goes now.
            await this.#dispatch(part, filled, ++partNumber);
            part = await this.#take();
            filled = 0;
          } else if (filled === part.length) {
            part = this.#grow(part, filled);
          }
          const n = Math.min(chunk.length - at, part.length - filled);
          part.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
        }
      }
      if (partNumber === 0) {
        await this.#options.send(
          new PutObjectCommand({
            ...this.#options.params,
            Body: part.subarray(0, filled),
            ContentLength: filled,
          }),
        );
        return;
      }
      await this.#dispatch(part, filled, ++partNumber);
      while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
      await this.#complete();
    } catch (err) {
      // Parts still sending stop through the caller's send (it cancels on the first failure).
      await Promise.allSettled(this.#inFlight);
      throw err;
    }
  }

  /** A free part buffer, waiting for a part in flight to finish when all are in use. */
  async #take(): Promise<Buffer> {
    const { partSize, queueSize } = this.#options;
    while (this.#free.length === 0) {
      if (this.#allocated < queueSize + 1) return this.#allocate(partSize);
      await Promise.race(this.#inFlight);
    }
    return this.#free.pop()!;
  }

  /** Sends a part once fewer than queueSize are in flight. */
  async #dispatch(buffer: Buffer, length: number, partNumber: number): Promise<void> {
    if (partNumber > maxParts) {
      throw new LifeboatError(
        'usage',
        `the upload needs more than ${maxParts} parts of ${this.#options.partSize} bytes: raise the S3 part size`,
      );
    }
    while (this.#inFlight.size >= this.#options.queueSize) await Promise.race(this.#inFlight);
    const sending = this.#uploadPart(buffer.subarray(0, length), partNumber).finally(() => {
      this.#inFlight.delete(sending);
      if (buffer.length === this.#options.partSize) this.#free.push(buffer);
    });
    this.#inFlight.add(sending);
    // Failures are raised where the upload waits on its parts (race, allSettled).
    sending.catch(() => {});
  }

  async #uploadPart(body: Buffer, partNumber: number): Promise<void> {
    const { Bucket, Key, ChecksumAlgorithm } = this.#options.params;
    const UploadId = await this.#create();
    const out = (await this.#options.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: partNumber, Body: body, ChecksumAlgorithm }),
    )) as Omit<CompletedPart, 'PartNumber'>;
    if (!out.ETag) {
      throw new LifeboatError('store', `the server answered part ${partNumber} of ${Key} without an ETag`);
    }
    this.#parts.push({
      PartNumber: partNumber,
      ETag: out.ETag,
      ...(out.ChecksumCRC32 && { ChecksumCRC32: out.ChecksumCRC32 }),
      ...(out.ChecksumCRC32C && { ChecksumCRC32C: out.ChecksumCRC32C }),
      ...(out.ChecksumCRC64NVME && { ChecksumCRC64NVME: out.ChecksumCRC64NVME }),
      ...(out.ChecksumSHA1 && { ChecksumSHA1: out.ChecksumSHA1 }),
      ...(out.ChecksumSHA256 && { ChecksumSHA256: out.ChecksumSHA256 }),
    });
  }

  /** CreateMultipartUpload, once, when the first part is ready. */
  #create(): Promise<string> {
    this.#created ??= (async () => {
      const params = { ...this.#options.params };
      delete params.Body;
      // As lib-storage does: parts will carry the client's default checksum, so the upload must name it.
      if ((await this.#options.checksumWhenSupported()) && !params.ChecksumAlgorithm) {
        params.ChecksumAlgorithm = 'CRC32';
      }
      const out = (await this.#options.send(new CreateMultipartUploadCommand(params))) as {
        UploadId?: string;
      };
      if (!out.UploadId) {
        throw new LifeboatError('store', `the server started no multipart upload for ${params.Key}`);
      }
      this.uploadId = out.UploadId;
      return out.UploadId;
    })();
    return this.#created;
  }

  /** The first buffer, doubled (up to a part), keeping its bytes; once a whole part, it joins the pool. */
  #grow(buffer: Buffer, filled: number): Buffer {
    const { partSize } = this.#options;
    const bigger = this.#allocate(Math.min(buffer.length * 2, partSize));
    buffer.copy(bigger, 0, 0, filled);
    return bigger;
  }

  /** A new buffer; whole parts count against the pool. Not from Node's shared pool: parts outlive it. */
  #allocate(size: number): Buffer {
    if (size === this.#options.partSize) this.#allocated++;
    return Buffer.allocUnsafeSlow(size);
  }

  async #complete(): Promise<void> {
    const { Bucket, Key } = this.#options.params;
    const Parts = [...this.#parts].sort((a, b) => a.PartNumber! - b.PartNumber!);
    await this.#options.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts },
      }),
    );
  }
}
