// The upload step of the manual procedure: one file to S3 as a multipart
// upload with the AWS SDK (the same part size and concurrency as `lifeboat
// backup`'s defaults), credentials from the AWS_* environment.
// Usage: node test/bench/upload.ts FILE ENDPOINT BUCKET KEY
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const [file, endpoint, bucket, key] = process.argv.slice(2);
if (!file || !endpoint || !bucket || !key) {
  console.error('usage: node test/bench/upload.ts FILE ENDPOINT BUCKET KEY');
  process.exit(2);
}
const client = new S3Client({
  endpoint,
  forcePathStyle: true,
  region: process.env['AWS_REGION'] ?? 'us-east-1',
});
await new Upload({
  client,
  params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
  partSize: 16 * 1024 * 1024,
  queueSize: 4,
}).done();
client.destroy();
