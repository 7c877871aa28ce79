import { GetObjectCommand, GetObjectLockConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Minio, startMinio } from './minio.ts';

describe('MinIO', () => {
  let minio: Minio;
  beforeAll(async () => {
    minio = await startMinio();
  });
  afterAll(() => minio?.stop());

  it('accepts a put and serves the same bytes back through the AWS SDK', async () => {
    const s3 = minio.client();
    const body = Buffer.from(`hello ${Date.now()}`);
    await s3.send(new PutObjectCommand({ Bucket: minio.bucket, Key: 'a/b.txt', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: 'a/b.txt' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    s3.destroy();
  });

  it('has a bucket with Object Lock enabled and one without', async () => {
    const s3 = minio.client();
    const locked = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: minio.lockedBucket }));
    expect(locked.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    await expect(s3.send(new GetObjectLockConfigurationCommand({ Bucket: minio.bucket }))).rejects.toThrow(
      /Object Lock configuration does not exist/i,
    );
    s3.destroy();
  });
});
