// The benchmarks' S3: a MinIO on loopback for the suite (stopped at the end),
// the store URL lifeboat writes to, and the objects under a prefix, listed or
// deleted between runs (4 GiB runs would otherwise keep every copy on disk).
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type Minio, startMinio } from '../infra/minio.ts';
import type { Context } from './context.ts';

export interface BenchBucket {
  minio: Minio;
  s3: S3Client;
  /** lifeboat's --store for the prefix "lifeboat/". */
  store: string;
}

export async function benchBucket(ctx: Context): Promise<BenchBucket> {
  const minio = await startMinio();
  ctx.defer(() => minio.stop());
  const s3 = minio.client();
  ctx.defer(async () => s3.destroy());
  const store = `s3://${minio.bucket}/lifeboat?endpoint=${encodeURIComponent(minio.endpoint)}&pathStyle=true`;
  return { minio, s3, store };
}

export async function objects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token && { ContinuationToken: token }),
      }),
    );
    for (const o of page.Contents ?? []) found.push({ key: o.Key!, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

export async function removeAll(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const keys = await objects(s3, bucket, prefix);
  if (keys.length === 0) return;
  await s3.send(
    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((k) => ({ Key: k.key })) } }),
  );
}
