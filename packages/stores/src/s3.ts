// The s3:// backend: one object per key under a prefix in a bucket, on AWS or
// any S3-compatible server. put streams through a multipart upload
// (s3-upload.ts) holding at most partSize × (queueSize + 1) bytes, and aborts
// the upload on any failure so no invisible parts are left to pay for.
import { createHash } from 'node:crypto';
import { addAbortSignal, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { formatStoreUrl, LifeboatError } from '@lifeboat/core';
import { chunksOf, stopBody } from './body.ts';
import { isValidKey, validateKey, validatePrefix } from './key.ts';
import { redactUrls } from './redact.ts';
import { httpStatus, maybeLockRefusal, s3Error, s3ErrorName } from './s3-errors.ts';
import {
  clientConfig,
  defaultPartSize,
  defaultQueueSize,
  putParams,
  type S3StoreOptions,
  validateS3Options,
} from './s3-options.ts';
import { PooledUpload, type UploadCommand } from './s3-upload.ts';
import type {
  BackupStore,
  GetOptions,
  ObjectInfo,
  ObjectStat,
  PutBody,
  PutOptions,
  PutResult,
} from './store.ts';

export class S3Store implements BackupStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #options: S3StoreOptions;
  readonly #bucket: string;
  readonly #prefix: string;
  // For messages: the endpoint without user-info, or AWS.
  readonly #server: string;

  constructor(options: S3StoreOptions) {
    this.#options = validateS3Options(options);
    this.#bucket = options.bucket;
    this.#prefix = (options.prefix ?? '').split('/').filter(Boolean).join('/');
    if (this.#prefix) validateKey(this.#prefix);
    const endpoint = options.endpoint ? redactUrls(options.endpoint) : undefined;
    this.#server = endpoint ?? `AWS S3${options.region ? ` (${options.region})` : ''}`;
    this.location = formatStoreUrl({
      kind: 's3',
      bucket: this.#bucket,
      prefix: this.#prefix,
      ...(endpoint && { endpoint }),
      ...(options.region && { region: options.region }),
      ...(options.pathStyle !== undefined && { pathStyle: options.pathStyle }),
    });
    this.#client = new S3Client(clientConfig(options));
  }

  /** Closes the client's connections. The store is unusable afterwards. */
  destroy(): void {
    this.#client.destroy();
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const { signal, size: expected } = options;
    try {
      validateKey(key);
      if (signal?.aborted) throw this.#aborted(signal, 'storing', key);
    } catch (err) {
      stopBody(body);
      throw err;
    }
    // One signal stops everything: the caller's abort, a body failure, or a
    // failed part (so the other parts stop reading the body at once).
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    const hash = createHash('sha256');
    let size = 0;
    let bodyError: unknown;
    let sizeError: LifeboatError | undefined;
    async function* feed(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of chunksOf(body, stop.signal)) {
          hash.update(chunk);
          size += chunk.byteLength;
          yield chunk;
        }
      } catch (err) {
        if (!stop.signal.aborted) {
          bodyError = err;
          stop.abort(err);
        }
        throw err;
      }
      // Thrown before the last part is handed over, so the upload never completes.
      if (expected !== undefined && size !== expected) {
        sizeError = new LifeboatError(
          'integrity',
          `the body for ${key} was ${size} bytes where ${expected} were expected`,
        );
        stop.abort(sizeError);
        throw sizeError;
      }
    }

    let sdkError: unknown;
    const upload = new PooledUpload({
      send: this.#abortableSend(stop, (err) => {
        sdkError ??= err;
      }),
      checksumWhenSupported: async () =>
        (await this.#client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED',
      params: {
        ...putParams(this.#options, new Date()),
        Bucket: this.#bucket,
        Key: this.#objectKey(key),
      },
      // Read-ahead is the part buffers: the body is pulled only when one has room.
      body: feed(),
      partSize: this.#options.partSize ?? defaultPartSize,
      queueSize: this.#options.queueSize ?? defaultQueueSize,
    });
    try {
      await upload.done();
      return { size, sha256: hash.digest('hex') };
    } catch (err) {
      const cleanup = await this.#abortUpload(key, upload.uploadId);
      if (signal?.aborted) throw this.#aborted(signal, 'storing', key);
      if (sizeError) throw sizeError;
      if (bodyError !== undefined) throw bodyError;
      const failure = s3Error(
        sdkError ?? err,
        `storing ${key} in ${this.location}`,
        this.#server,
        this.#bucket,
      );
      if (!cleanup) throw failure;
      throw new LifeboatError(failure.code, `${failure.message}; ${cleanup}`, { cause: failure.cause });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Stops a body the upload gave up on: a stalled read ends through the
      // signal, a feed parked between reads through destroy.
      stop.abort(new LifeboatError('aborted', 'upload finished'));
    }
  }

  // send() as the upload uses it: requests are cancelled when stop aborts, and
  // the first failure aborts stop. Creating and completing the upload are
  // never cancelled half-way: the upload id must come back so it can be
  // aborted, and a completion the server may have done must be awaited.
  #abortableSend(
    stop: AbortController,
    onError: (err: unknown) => void,
  ): (command: UploadCommand) => Promise<unknown> {
    const client = this.#client;
    return (command: UploadCommand) => {
      const atomic =
        command instanceof CreateMultipartUploadCommand || command instanceof CompleteMultipartUploadCommand;
      return client
        .send(command as never, atomic ? {} : { abortSignal: stop.signal })
        .catch((err: unknown) => {
          if (!stop.signal.aborted) {
            onError(err);
            stop.abort(err);
          }
          throw err;
        });
    };
  }

  // Aborts the multipart upload uploadId, retrying while the server is
  // unreachable (it may be restarting). Returns undefined when nothing is
  // left, else a note for the error message.
  async #abortUpload(key: string, uploadId: string | undefined): Promise<string | undefined> {
    if (!uploadId) return undefined;
    const deadline = Date.now() + (this.#options.abortRetryMs ?? 30_000);
    let delay = 250;
    for (;;) {
      try {
        await this.#client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: this.#objectKey(key),
            UploadId: uploadId,
          }),
        );
        return undefined;
      } catch (err) {
        if (s3ErrorName(err) === 'NoSuchUpload') return undefined;
        if (Date.now() + delay > deadline) {
          return `its incomplete multipart upload ${uploadId} could not be aborted (${s3ErrorName(err) ?? 'error'}); a bucket lifecycle rule for incomplete multipart uploads removes it`;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 4000);
      }
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    validateKey(key);
    const { signal } = options;
    if (signal?.aborted) throw this.#aborted(signal, 'reading', key);
    let body: Readable;
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
        signal ? { abortSignal: signal } : {},
      );
      body = out.Body as Readable;
    } catch (err) {
      if (signal?.aborted) throw this.#aborted(signal, 'reading', key);
      if (s3ErrorName(err) === 'NoSuchKey' || httpStatus(err) === 404) throw this.#notFound(key, err);
      throw s3Error(err, `reading ${key} from ${this.location}`, this.#server, this.#bucket);
    }
    return signal ? addAbortSignal(signal, body) : body;
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    validateKey(key);
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
      );
      return { size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (httpStatus(err) === 404 && s3ErrorName(err) !== 'NoSuchBucket') return undefined;
      throw s3Error(err, `reading ${key} in ${this.location}`, this.#server, this.#bucket);
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    const base = this.#prefix ? `${this.#prefix}/` : '';
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        // S3 returns keys in UTF-8 byte order, the order list promises.
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: base + prefix,
            ContinuationToken: token,
            MaxKeys: this.#options.listPageSize,
          }),
        );
      } catch (err) {
        throw s3Error(err, `listing ${this.location}`, this.#server, this.#bucket);
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(base)) continue;
        const key = object.Key.slice(base.length);
        // Objects other tools left that no key can name (folder markers "x/", "a//b"): not ours.
        if (!isValidKey(key)) continue;
        yield { key, size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const objectKey = this.#objectKey(key);
    const action = `deleting ${key} from ${this.location}`;
    if (this.#options.deleteVersions === false) {
      try {
        await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
      } catch (err) {
        throw s3Error(err, action, this.#server, this.#bucket);
      }
      return;
    }
    let versions: { id: string; modified: number }[];
    try {
      versions = await this.#versions(objectKey);
    } catch (err) {
      throw s3Error(err, action, this.#server, this.#bucket);
    }
    // Oldest first: until the newest version goes, readers see the key as it was,
    // so a lock that stops us half-way changes nothing they can see.
    versions.sort((a, b) => a.modified - b.modified);
    for (const { id } of versions) {
      try {
        await this.#client.send(
          new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey, VersionId: id }),
        );
      } catch (err) {
        if (maybeLockRefusal(err)) {
          const lock = await this.#lockOf(objectKey, id);
          if (lock)
            throw new LifeboatError('store', `object ${key} in ${this.location} ${lock}`, { cause: err });
        }
        throw s3Error(err, action, this.#server, this.#bucket);
      }
    }
  }

  // Every version and delete marker of exactly objectKey.
  async #versions(objectKey: string): Promise<{ id: string; modified: number }[]> {
    const found: { id: string; modified: number }[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (;;) {
      const page = await this.#client.send(
        new ListObjectVersionsCommand({
          Bucket: this.#bucket,
          Prefix: objectKey,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
          MaxKeys: this.#options.listPageSize,
        }),
      );
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key === objectKey)
          found.push({ id: v.VersionId ?? 'null', modified: v.LastModified?.getTime() ?? 0 });
      }
      if (!page.IsTruncated) return found;
      keyMarker = page.NextKeyMarker;
      versionMarker = page.NextVersionIdMarker;
    }
  }

  // Why a version cannot be deleted, when Object Lock is the reason:
  // "is locked until … (GOVERNANCE)" or "is under a legal hold".
  async #lockOf(objectKey: string, versionId: string): Promise<string | undefined> {
    const params = { Bucket: this.#bucket, Key: objectKey, VersionId: versionId };
    const retention = await this.#client
      .send(new GetObjectRetentionCommand(params))
      .then((out) => out.Retention)
      .catch(() => undefined);
    const until = retention?.RetainUntilDate;
    if (until && until.getTime() > Date.now()) {
      return `is locked until ${until.toISOString()} (Object Lock ${retention.Mode ?? 'retention'})`;
    }
    const hold = await this.#client
      .send(new GetObjectLegalHoldCommand(params))
      .then((out) => out.LegalHold?.Status)
      .catch(() => undefined);
    return hold === 'ON' ? 'is under an Object Lock legal hold' : undefined;
  }

  #objectKey(key: string): string {
    return this.#prefix ? `${this.#prefix}/${key}` : key;
  }

  #notFound(key: string, cause: unknown): LifeboatError {
    return new LifeboatError('not-found', `no object ${key} in ${this.location}`, { cause });
  }

  #aborted(signal: AbortSignal, action: string, key: string): LifeboatError {
    return new LifeboatError('aborted', `${action} ${key} in ${this.location} was aborted`, {
      cause: signal.reason,
    });
  }
}
