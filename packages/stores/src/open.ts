// From a parsed store URL plus settings to a store: the one place that knows
// every backend. The URL says where; options say how (credentials, encryption,
// locks, part size, the restic password) and are ignored by other backends.
import { LifeboatError, parseDuration, type StoreLocation } from '@lifeboat/core';
import { LocalStore } from './local.ts';
import { ResticStore } from './restic.ts';
import { S3Store } from './s3.ts';
import type { ChecksumAlgorithm, ObjectLockMode, S3StoreOptions } from './s3-options.ts';
import type { BackupStore } from './store.ts';

export interface OpenStoreOptions {
  /**
   * Environment holding credentials (e.g. a mounted Secret), instead of this
   * process's: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
   * AWS_REGION for s3 (without keys, the SDK's default chain applies);
   * RESTIC_PASSWORD(_FILE) and a remote repository's variables for restic.
   */
  env?: Record<string, string | undefined>;
  s3?: {
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    /** Used when the URL names no region. */
    region?: string;
    partSize?: number;
    queueSize?: number;
    sse?: 'AES256' | 'aws:kms';
    kmsKeyId?: string;
    storageClass?: string;
    /** Object Lock: mode and how long each object stays locked ("30d", or milliseconds). */
    objectLock?: { mode: ObjectLockMode; retain: string | number };
    checksumAlgorithm?: ChecksumAlgorithm;
    checksum?: 'when_supported' | 'when_required';
    deleteVersions?: boolean;
  };
  restic?: {
    password?: string;
    passwordFile?: string;
    binary?: string;
    prune?: boolean;
  };
}

export function openStore(location: StoreLocation, options: OpenStoreOptions = {}): BackupStore {
  switch (location.kind) {
    case 'file':
      return new LocalStore(location.path);
    case 's3':
      return new S3Store(s3Options(location, options));
    case 'restic': {
      const { restic = {}, env } = options;
      return new ResticStore({
        repository: location.repository,
        ...(env && { env }),
        ...(restic.password !== undefined && { password: restic.password }),
        ...(restic.passwordFile !== undefined && { passwordFile: restic.passwordFile }),
        ...(restic.binary !== undefined && { binary: restic.binary }),
        ...(restic.prune !== undefined && { prune: restic.prune }),
      });
    }
  }
}

function s3Options(location: StoreLocation & { kind: 's3' }, options: OpenStoreOptions): S3StoreOptions {
  const { s3 = {}, env = {} } = options;
  const { sse, kmsKeyId, objectLock, credentials, region, ...rest } = s3;
  if (kmsKeyId && sse !== 'aws:kms') {
    throw new LifeboatError('usage', 'an SSE KMS key id needs server-side encryption aws:kms');
  }
  const fromEnv =
    env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']
      ? {
          accessKeyId: env['AWS_ACCESS_KEY_ID'],
          secretAccessKey: env['AWS_SECRET_ACCESS_KEY'],
          ...(env['AWS_SESSION_TOKEN'] && { sessionToken: env['AWS_SESSION_TOKEN'] }),
        }
      : undefined;
  const keys = credentials ?? fromEnv;
  const regionName = location.region ?? region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  return {
    ...rest,
    bucket: location.bucket,
    prefix: location.prefix,
    ...(location.endpoint && { endpoint: location.endpoint }),
    ...(location.pathStyle !== undefined && { pathStyle: location.pathStyle }),
    ...(regionName && { region: regionName }),
    ...(keys && { credentials: keys }),
    ...(sse && { sse: sse === 'aws:kms' ? { type: sse, ...(kmsKeyId && { kmsKeyId }) } : { type: sse } }),
    ...(objectLock && {
      objectLock: {
        mode: objectLock.mode,
        retainForMs:
          typeof objectLock.retain === 'number'
            ? objectLock.retain
            : parseDuration(objectLock.retain, 'Object Lock retention'),
      },
    }),
  };
}
