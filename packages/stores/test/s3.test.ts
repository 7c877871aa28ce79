import { LifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { isTransient, S3Store } from '../src/index.ts';
import { maybeLockRefusal, s3Error } from '../src/s3-errors.ts';
import { clientConfig, putParams, validateS3Options } from '../src/s3-options.ts';
import { rejectionCode } from './conformance.ts';

const MiB = 1024 * 1024;
const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name === 'Unknown' ? 'UnknownError' : `${name} happened`), {
    name,
    ...(status && { $metadata: { httpStatusCode: status } }),
    ...extra,
  });

describe('S3 options', () => {
  it('use path style and us-east-1 with a custom endpoint, virtual hosts on AWS', () => {
    expect(clientConfig({ bucket: 'b', endpoint: 'http://minio:9000' })).toMatchObject({
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      region: process.env['AWS_REGION'] ? undefined : 'us-east-1',
    });
    const aws = clientConfig({ bucket: 'b', region: 'eu-central-1' });
    expect(aws).toEqual({ region: 'eu-central-1', forcePathStyle: false });
    expect(clientConfig({ bucket: 'b', endpoint: 'http://x', pathStyle: false }).forcePathStyle).toBe(false);
  });

  it('leave credentials to the SDK chain unless given', () => {
    expect(clientConfig({ bucket: 'b' })).not.toHaveProperty('credentials');
    const credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
    expect(clientConfig({ bucket: 'b', credentials }).credentials).toEqual(credentials);
  });

  it('map the checksum setting onto both SDK settings', () => {
    expect(clientConfig({ bucket: 'b', checksum: 'when_required' })).toMatchObject({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    expect(clientConfig({ bucket: 'b', checksum: 'when_supported' })).toMatchObject({
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    });
    expect(clientConfig({ bucket: 'b' })).not.toHaveProperty('requestChecksumCalculation');
  });

  it('put SSE, storage class, and Object Lock with retain-until from the put time and a CRC32 checksum', () => {
    const now = new Date('2026-11-21T14:30:00Z');
    expect(
      putParams(
        {
          bucket: 'b',
          sse: { type: 'aws:kms', kmsKeyId: 'key-1' },
          storageClass: 'STANDARD_IA',
          objectLock: { mode: 'COMPLIANCE', retainForMs: 30 * 86_400_000 },
        },
        now,
      ),
    ).toEqual({
      ContentType: 'application/octet-stream',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'key-1',
      StorageClass: 'STANDARD_IA',
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date('2026-12-21T14:30:00Z'),
      ChecksumAlgorithm: 'CRC32',
    });
    expect(putParams({ bucket: 'b', sse: { type: 'AES256' } }, now)).toEqual({
      ContentType: 'application/octet-stream',
      ServerSideEncryption: 'AES256',
    });
    const lockedSha = putParams(
      { bucket: 'b', objectLock: { mode: 'GOVERNANCE', retainForMs: 1000 }, checksumAlgorithm: 'SHA256' },
      now,
    );
    expect(lockedSha.ChecksumAlgorithm).toBe('SHA256');
  });

  it('refuse parts under 5 MiB, empty queues and bad lock settings', () => {
    expect(() => validateS3Options({ bucket: 'b', partSize: 5 * MiB - 1 })).toThrow(/≥ 5 MiB/);
    expect(() => validateS3Options({ bucket: 'b', queueSize: 0 })).toThrow(/queue size/);
    expect(() =>
      validateS3Options({ bucket: 'b', objectLock: { mode: 'LOCKED' as 'GOVERNANCE', retainForMs: 1 } }),
    ).toThrow(/GOVERNANCE or COMPLIANCE/);
    expect(() =>
      validateS3Options({ bucket: 'b', objectLock: { mode: 'GOVERNANCE', retainForMs: 0 } }),
    ).toThrow(/positive/);
    expect(validateS3Options({ bucket: 'b', partSize: 5 * MiB, queueSize: 1 }).partSize).toBe(5 * MiB);
  });
});

describe('S3 error mapping', () => {
  const map = (err: unknown) => s3Error(err, 'storing c/n/x in s3://b/p', 'http://minio:9000', 'b');

  it.each([
    [
      sdkError('NoSuchBucket', 404),
      'bucket "b" does not exist at http://minio:9000 (storing c/n/x in s3://b/p)',
    ],
    [
      sdkError('SignatureDoesNotMatch', 403),
      'credentials rejected by http://minio:9000 (SignatureDoesNotMatch) while storing c/n/x in s3://b/p',
    ],
    [
      sdkError('InvalidAccessKeyId', 403),
      'credentials rejected by http://minio:9000 (InvalidAccessKeyId) while storing c/n/x in s3://b/p',
    ],
    [sdkError('AccessDenied', 403), 'access denied while storing c/n/x in s3://b/p: AccessDenied happened'],
    [
      sdkError('Unknown', 403),
      'access denied or credentials rejected by http://minio:9000 while storing c/n/x in s3://b/p',
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }),
      'cannot reach http://minio:9000 (ECONNREFUSED) while storing c/n/x in s3://b/p',
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND minio'), { code: 'ENOTFOUND' }),
      'cannot reach http://minio:9000 (ENOTFOUND) while storing c/n/x in s3://b/p',
    ],
    [
      sdkError('InternalError', 500),
      'storing c/n/x in s3://b/p failed: InternalError (HTTP 500): InternalError happened',
    ],
  ])('%s', (err, message) => {
    const mapped = map(err);
    expect(mapped).toBeInstanceOf(LifeboatError);
    expect(mapped.code).toBe('store');
    expect(mapped.message).toBe(message);
    expect(mapped.cause).toBe(err);
  });

  it('says where credentials come from when none are found, and asks for a region', () => {
    expect(map(sdkError('CredentialsProviderError')).message).toMatch(
      /^no S3 credentials found for http:\/\/minio:9000: set AWS_ACCESS_KEY_ID/,
    );
    const region = map(new Error('Region is missing'));
    expect(region.code).toBe('usage');
    expect(region.message).toMatch(/add region=… to the store URL or set AWS_REGION/);
  });

  it('marks unreachable servers, 5xx and throttling transient, and not refusals', () => {
    expect(isTransient(map(Object.assign(new Error('reset'), { code: 'ECONNRESET' })))).toBe(true);
    expect(isTransient(map(sdkError('InternalError', 500)))).toBe(true);
    expect(isTransient(map(sdkError('SlowDown', 503)))).toBe(true);
    expect(isTransient(map(sdkError('NotImplemented', 501)))).toBe(false);
    expect(isTransient(map(sdkError('AccessDenied', 403)))).toBe(false);
    expect(isTransient(map(sdkError('NoSuchBucket', 404)))).toBe(false);
  });

  it('passes LifeboatErrors through and recognises possible lock refusals', () => {
    const mine = new LifeboatError('integrity', 'short');
    expect(map(mine)).toBe(mine);
    expect(maybeLockRefusal(sdkError('InvalidRequest', 400))).toBe(true);
    expect(maybeLockRefusal(sdkError('AccessDenied', 403))).toBe(true);
    expect(maybeLockRefusal(sdkError('InternalError', 500))).toBe(false);
  });
});

describe('S3Store', () => {
  it('describes itself as its store URL, without user-info from the endpoint', () => {
    const store = new S3Store({
      bucket: 'backups',
      prefix: '/lifeboat/prod/',
      endpoint: 'https://user:secret@s3.example.com',
      region: 'eu-1',
      pathStyle: true,
    });
    expect(store.location).toBe(
      's3://backups/lifeboat/prod?endpoint=https%3A%2F%2F***%40s3.example.com&region=eu-1&pathStyle=true',
    );
    expect(store.location).not.toContain('secret');
    store.destroy();
  });

  it('refuses a prefix no key could live under', () => {
    expect(() => new S3Store({ bucket: 'b', prefix: 'a/../b' })).toThrow(LifeboatError);
  });

  it('checks keys before any request', async () => {
    const store = new S3Store({ bucket: 'b', endpoint: 'http://127.0.0.1:1', region: 'x' });
    expect(await rejectionCode(store.stat('../x'))).toBe('usage');
    expect(await rejectionCode(store.delete('a//b'))).toBe('usage');
    store.destroy();
  });
});
