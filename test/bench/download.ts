// The download step of opening a backup by hand: one S3 object to a file with
// the AWS SDK (GetObject, streamed), credentials from the AWS_* environment.
// Usage: node test/bench/download.ts ENDPOINT BUCKET KEY FILE
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

const [endpoint, bucket, key, file] = process.argv.slice(2);
if (!endpoint || !bucket || !key || !file) {
  console.error('usage: node test/bench/download.ts ENDPOINT BUCKET KEY FILE');
  process.exit(2);
}
const client = new S3Client({
  endpoint,
  forcePathStyle: true,
  region: process.env['AWS_REGION'] ?? 'us-east-1',
});
const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
await pipeline(object.Body as Readable, createWriteStream(file));
client.destroy();
