// The benchmark's objects in MinIO: list them under a prefix, and delete them
// between runs (4 GiB runs would otherwise keep every copy on disk).
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

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
