// Everything an S3 store can be told, and how it becomes SDK configuration:
// one implementation for AWS and every S3-compatible server, the differences
// being options (endpoint, path style, checksum behaviour), not variants.
import type { PutObjectCommandInput, S3ClientConfig } from '@aws-sdk/client-s3';
import { LifeboatError } from '@lifeboat/core';

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

export interface S3StoreOptions {
  bucket: string;
  /** Folder inside the bucket every key lives under ('' or undefined: the bucket root). */
  prefix?: string;
  /** An S3-compatible server (MinIO, Ceph, …); default AWS. */
  endpoint?: string;
  /** Default: AWS_REGION through the SDK, or us-east-1 with a custom endpoint. */
  region?: string;
  /** Path-style URLs (http://host/bucket/key); default true with a custom endpoint, false for AWS. */
  pathStyle?: boolean;
  /** Explicit keys; without them the SDK's default chain (env, shared config, web identity, IMDS). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bytes per multipart part, ≥ 5 MiB; default 8 MiB. An upload holds partSize × (queueSize + 1). */
  partSize?: number;
  /** Parts uploaded at once; default 3. */
  queueSize?: number;
  /** Server-side encryption: SSE-S3 (AES256) or SSE-KMS with an optional key id. */
  sse?: { type: 'AES256' } | { type: 'aws:kms'; kmsKeyId?: string };
  /** STANDARD, STANDARD_IA, GLACIER_IR, REDUCED_REDUNDANCY, … as the server names them. */
  storageClass?: string;
  /** Object Lock on every object put: mode, and retention counted from the start of the put. */
  objectLock?: { mode: ObjectLockMode; retainForMs: number };
  /** Checksum sent with every part; default CRC32 with Object Lock (which requires one), else the SDK's choice. */
  checksumAlgorithm?: ChecksumAlgorithm;
  /**
   * when_supported (the SDK default) computes and checks checksums wherever
   * the API allows; when_required only where an operation demands one, for
   * S3-compatible servers that reject the newer checksum headers.
   */
  checksum?: 'when_supported' | 'when_required';
  /**
   * delete removes every version of the key (default), so versioned buckets
   * free the space and Object Lock refusals surface; false sends a plain
   * DeleteObject (a delete marker on versioned buckets).
   */
  deleteVersions?: boolean;
  /** How long a failed put keeps trying to abort its multipart upload (the server may be restarting); default 30 s. */
  abortRetryMs?: number;
  /** Keys per listing request (MaxKeys); default the server's, 1000 on S3. */
  listPageSize?: number;
}

const MiB = 1024 * 1024;
export const minPartSize = 5 * MiB;
export const defaultPartSize = 8 * MiB;
// 3 in flight: a backup's compressed output comes at 10-50 MB/s, which three 8 MiB parts keep
// up with even at 100 ms per request; each more part is 8 MiB more of the backup's 160 MiB.
export const defaultQueueSize = 3;

/** Checks numbers and names once, so a bad value fails at open, not mid-upload. */
export function validateS3Options(options: S3StoreOptions): S3StoreOptions {
  const { partSize, queueSize, objectLock, sse } = options;
  if (partSize !== undefined && (!Number.isSafeInteger(partSize) || partSize < minPartSize)) {
    throw new LifeboatError('usage', `S3 part size must be a whole number of bytes ≥ 5 MiB, got ${partSize}`);
  }
  if (queueSize !== undefined && (!Number.isSafeInteger(queueSize) || queueSize < 1)) {
    throw new LifeboatError('usage', `S3 queue size must be a whole number ≥ 1, got ${queueSize}`);
  }
  if (objectLock) {
    if (objectLock.mode !== 'GOVERNANCE' && objectLock.mode !== 'COMPLIANCE') {
      throw new LifeboatError(
        'usage',
        `Object Lock mode must be GOVERNANCE or COMPLIANCE, got ${objectLock.mode}`,
      );
    }
    if (!Number.isSafeInteger(objectLock.retainForMs) || objectLock.retainForMs <= 0) {
      throw new LifeboatError('usage', 'Object Lock retention must be a positive duration');
    }
  }
  const { listPageSize } = options;
  if (
    listPageSize !== undefined &&
    (!Number.isSafeInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000)
  ) {
    throw new LifeboatError(
      'usage',
      `S3 list page size must be a whole number from 1 to 1000, got ${listPageSize}`,
    );
  }
  if (sse && sse.type !== 'AES256' && sse.type !== 'aws:kms') {
    throw new LifeboatError(
      'usage',
      `server-side encryption must be AES256 or aws:kms, got ${(sse as { type: string }).type}`,
    );
  }
  return options;
}

/** The S3Client configuration for options. */
export function clientConfig(options: S3StoreOptions): S3ClientConfig {
  const config: S3ClientConfig = {};
  if (options.endpoint) config.endpoint = options.endpoint;
  const region = options.region ?? (options.endpoint && !process.env['AWS_REGION'] ? 'us-east-1' : undefined);
  if (region) config.region = region;
  config.forcePathStyle = options.pathStyle ?? options.endpoint !== undefined;
  if (options.credentials) config.credentials = options.credentials;
  if (options.checksum) {
    const when = options.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    config.requestChecksumCalculation = when;
    config.responseChecksumValidation = when;
  }
  return config;
}

/** What every put sends besides bucket, key and body: encryption, class, lock and checksum. */
export function putParams(options: S3StoreOptions, now: Date): Partial<PutObjectCommandInput> {
  const params: Partial<PutObjectCommandInput> = { ContentType: 'application/octet-stream' };
  if (options.sse) {
    params.ServerSideEncryption = options.sse.type;
    if (options.sse.type === 'aws:kms' && options.sse.kmsKeyId) params.SSEKMSKeyId = options.sse.kmsKeyId;
  }
  if (options.storageClass)
    params.StorageClass = options.storageClass as PutObjectCommandInput['StorageClass'];
  if (options.objectLock) {
    params.ObjectLockMode = options.objectLock.mode;
    params.ObjectLockRetainUntilDate = new Date(now.getTime() + options.objectLock.retainForMs);
  }
  // Object Lock refuses parts without a checksum (Content-MD5 or x-amz-checksum-*).
  const algorithm = options.checksumAlgorithm ?? (options.objectLock ? 'CRC32' : undefined);
  if (algorithm) params.ChecksumAlgorithm = algorithm;
  return params;
}
