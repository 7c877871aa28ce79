// A real S3 server: MinIO on loopback with one plain bucket and one created
// with Object Lock enabled (which S3 only allows at bucket creation).
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ensureBinary } from './binaries.ts';
import { freePorts } from './ports.ts';
import { type Server, startServer } from './process.ts';

export interface Minio {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A plain bucket. */
  bucket: string;
  /** A bucket created with Object Lock enabled. */
  lockedBucket: string;
  /** Environment for anything using the AWS credential chain. */
  env: Record<string, string>;
  client(): S3Client;
  server: Server;
  stop(): Promise<void>;
}

function live(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startMinio(): Promise<Minio> {
  const { minio } = await ensureBinary('minio');
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-minio-'));
  const [port, consolePort] = await freePorts(2);
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = 'lifeboat-test';
  const secretAccessKey = 'lifeboat-test-secret';
  const region = 'us-east-1';
  let server: Server;
  try {
    server = await startServer({
      name: 'minio',
      command: minio!,
      args: [
        'server',
        '--quiet',
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
        join(dir, 'data'),
      ],
      logFile: join(dir, 'minio.log'),
      env: {
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_REGION: region,
      },
      ready: () => live(`${endpoint}/minio/health/live`),
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const client = () =>
    new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const s3 = client();
  const bucket = 'lifeboat';
  const lockedBucket = 'lifeboat-locked';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: lockedBucket, ObjectLockEnabledForBucket: true }));
  s3.destroy();
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    bucket,
    lockedBucket,
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region },
    client,
    server,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
