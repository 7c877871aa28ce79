// The s3 backend against a real MinIO: the one conformance suite on a plain
// bucket and on an Object Lock bucket, then what only S3 has — multipart
// streaming, aborted uploads leaving nothing, retention, server-side
// encryption, storage classes, clear errors — and MinIO killed mid-upload.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isLifeboatError, LifeboatError, parseStoreUrl } from '@lifeboat/core';
import { openStore, type RetryInfo, RetryStore, S3Store, type S3StoreOptions } from '@lifeboat/stores';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describeStoreConformance,
  listAll,
  randomData,
  readAll,
  rejectionCode,
} from '../../packages/stores/test/conformance.ts';
import { ensureBinary, freePort, type Minio, type Server, startMinio, startServer } from '../infra/index.ts';

const MiB = 1024 * 1024;
const hour = 3_600_000;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let minio: Minio;
let s3: S3Client;
beforeAll(async () => {
  minio = await startMinio();
  s3 = minio.client();
});
afterAll(async () => {
  s3?.destroy();
  await minio?.stop();
});

let counter = 0;
const freshPrefix = (name: string) => `${name}/${++counter}-${randomBytes(3).toString('hex')}`;

function storeOptions(m: Minio, bucket: string, prefix: string): S3StoreOptions {
  return {
    bucket,
    prefix,
    endpoint: m.endpoint,
    region: m.region,
    credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey },
    // The smallest part S3 allows, so a few MiB already make a multipart upload.
    partSize: 5 * MiB,
  };
}

// Multipart uploads under prefix. MinIO takes only a whole key as the Prefix
// of ListMultipartUploads, and after a restart lists an upload only when asked
// for its key: list all and filter, and ask for each of keys too.
async function multipartUploads(client: S3Client, bucket: string, prefix: string, keys: string[] = []) {
  const found = new Map<string, { Key?: string; UploadId?: string }>();
  for (const query of [undefined, ...keys.map((key) => `${prefix}/${key}`)]) {
    const out = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, ...(query !== undefined && { Prefix: query }) }),
    );
    expect(out.IsTruncated).not.toBe(true);
    for (const upload of out.Uploads ?? []) {
      if (upload.Key?.startsWith(`${prefix}/`)) found.set(upload.UploadId!, upload);
    }
  }
  return [...found.values()];
}

async function removeAll(bucket: string, prefix: string): Promise<void> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  const objects = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
  if (objects.length)
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
}

// A body that yields size bytes in 1 MiB chunks, calling onChunk(bytesSoFar) before each.
async function* slowBody(size: number, onChunk: (sent: number) => Promise<void> | void) {
  for (let sent = 0; sent < size; sent += MiB) {
    await onChunk(sent);
    yield randomBytes(Math.min(MiB, size - sent));
  }
}

// Every conformance test ends by checking no multipart upload was left behind.
describeStoreConformance('s3 (MinIO)', async () => {
  const prefix = freshPrefix('conformance');
  const store = new S3Store(storeOptions(minio, minio.bucket, prefix));
  return {
    store,
    cleanup: async () => {
      store.destroy();
      expect(await multipartUploads(s3, minio.bucket, prefix)).toEqual([]);
      await removeAll(minio.bucket, prefix);
    },
  };
});

describeStoreConformance('s3 (MinIO, Object Lock bucket)', async () => {
  const prefix = freshPrefix('locked');
  const store = new S3Store({
    ...storeOptions(minio, minio.lockedBucket, prefix),
    objectLock: { mode: 'GOVERNANCE', retainForMs: hour },
  });
  return {
    store,
    deletesLocked: true,
    cleanup: async () => {
      store.destroy();
      expect(await multipartUploads(s3, minio.lockedBucket, prefix)).toEqual([]);
    },
  };
});

describe('S3Store on MinIO', () => {
  let prefix: string;
  const stores: S3Store[] = [];
  const open = (extra: Partial<S3StoreOptions> = {}, bucket = minio.bucket) => {
    const store = new S3Store({ ...storeOptions(minio, bucket, prefix), ...extra });
    stores.push(store);
    return store;
  };
  beforeAll(() => {
    prefix = freshPrefix('s3');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.destroy();
    expect(await multipartUploads(s3, minio.bucket, prefix)).toEqual([]);
    expect(await multipartUploads(s3, minio.lockedBucket, prefix)).toEqual([]);
    await removeAll(minio.bucket, prefix);
  });

  it('streams: parts go out while the body is still being produced, never the whole body at once', async () => {
    const store = open({ queueSize: 1 });
    const size = 32 * MiB;
    let maxAhead = 0;
    const body = slowBody(size, async (sent) => {
      if (sent % (4 * MiB) !== 0 || sent === 0) return;
      // Bytes produced but not yet stored in a part: bounded by the parts in flight, not by the body.
      const [upload] = await multipartUploads(s3, minio.bucket, prefix);
      if (!upload) return;
      const parts = await s3.send(
        new ListPartsCommand({ Bucket: minio.bucket, Key: upload.Key!, UploadId: upload.UploadId! }),
      );
      const stored = (parts.Parts ?? []).reduce((sum, p) => sum + (p.Size ?? 0), 0);
      maxAhead = Math.max(maxAhead, sent - stored);
    });
    const result = await store.put('c/n/big', body);
    expect(result.size).toBe(size);
    // queueSize 1: one part being filled and one being sent, plus a chunk.
    expect(maxAhead).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThanOrEqual(2 * 5 * MiB + MiB);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: minio.bucket, Key: `${prefix}/c/n/big`, PartNumber: 1 }),
    );
    expect(head.PartsCount).toBe(Math.ceil(size / (5 * MiB)));
  });

  it.each([
    ['the body fails', 'body'],
    ['the signal aborts', 'abort'],
    ['the size is wrong', 'size'],
  ] as const)('aborts the multipart upload when %s after parts were sent', async (_, how) => {
    const store = open();
    const boom = new Error('etcd went away');
    const controller = new AbortController();
    let sawUpload = false;
    const size = 16 * MiB;
    async function* body() {
      yield* slowBody(size, async (sent) => {
        if (sent === 12 * MiB) {
          // Two parts were handed over by now: wait until the multipart upload exists.
          for (let i = 0; i < 100 && !sawUpload; i++) {
            sawUpload = (await multipartUploads(s3, minio.bucket, prefix)).length === 1;
            if (!sawUpload) await new Promise((resolve) => setTimeout(resolve, 50));
          }
          if (how === 'body') throw boom;
          if (how === 'abort') controller.abort();
        }
      });
    }
    const put = store.put('c/n/obj', body(), {
      signal: controller.signal,
      ...(how === 'size' && { size: size + 1 }),
    });
    if (how === 'body') await expect(put).rejects.toBe(boom);
    else expect(await rejectionCode(put)).toBe(how === 'abort' ? 'aborted' : 'integrity');
    expect(sawUpload).toBe(true);
    expect(await multipartUploads(s3, minio.bucket, prefix, ['c/n/obj'])).toEqual([]);
    expect(await store.stat('c/n/obj')).toBeUndefined();
  });

  it('sets Object Lock retention on single and multipart puts, with a checksum on every part, and refuses deletes', async () => {
    const store = open(
      { objectLock: { mode: 'GOVERNANCE', retainForMs: 2 * hour }, checksum: 'when_required' },
      minio.lockedBucket,
    );
    for (const [key, size] of [
      ['c/n/small', 1000],
      ['c/n/multi', 11 * MiB],
    ] as const) {
      const before = Date.now();
      const { data, chunks } = randomData(size);
      await store.put(key, Readable.from(chunks));
      const objectKey = `${prefix}/${key}`;
      const { Retention } = await s3.send(
        new GetObjectRetentionCommand({ Bucket: minio.lockedBucket, Key: objectKey }),
      );
      expect(Retention?.Mode).toBe('GOVERNANCE');
      const until = Retention!.RetainUntilDate!.getTime();
      expect(until).toBeGreaterThanOrEqual(before + 2 * hour - 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 2 * hour + 1000);
      // when_required sends no checksum on its own: these come from the Object Lock setting.
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: minio.lockedBucket, Key: objectKey, ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]+=*(-\d+)?$/);
      if (size > 5 * MiB) {
        const attributes = await s3.send(
          new GetObjectAttributesCommand({
            Bucket: minio.lockedBucket,
            Key: objectKey,
            ObjectAttributes: ['ObjectParts'],
          }),
        );
        const parts = attributes.ObjectParts?.Parts ?? [];
        expect(parts).toHaveLength(3);
        for (const part of parts) expect(part.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }

      const refusal = await store.delete(key).catch((e: unknown) => e);
      expect(isLifeboatError(refusal, 'store')).toBe(true);
      expect((refusal as Error).message).toContain(`object ${key} in s3://${minio.lockedBucket}/${prefix}`);
      expect((refusal as Error).message).toContain(
        `is locked until ${Retention!.RetainUntilDate!.toISOString()} (Object Lock GOVERNANCE)`,
      );
      expect((await readAll(await store.get(key))).equals(data)).toBe(true);
    }
  });

  it('deletes every version, so a versioned bucket frees the space, oldest first', async () => {
    // The lock bucket is versioned; objects put without a lock can be deleted.
    const store = open({}, minio.lockedBucket);
    await store.put('c/n/v', Readable.from([randomBytes(100)]));
    await store.put('c/n/v', Readable.from([randomBytes(200)]));
    await store.delete('c/n/v');
    const left = await s3.send(
      new ListObjectsV2Command({ Bucket: minio.lockedBucket, Prefix: `${prefix}/c/n/v` }),
    );
    expect(left.Contents ?? []).toEqual([]);
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: minio.lockedBucket, Prefix: `${prefix}/c/n/v` }),
    );
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
  });

  it('pages through listings and through the versions it deletes', async () => {
    // Its own prefix: the lock bucket keeps the locked objects of the test above.
    const own = `${prefix}-paging`;
    const store = new S3Store({ ...storeOptions(minio, minio.lockedBucket, own), listPageSize: 2 });
    stores.push(store);
    const keys = ['a', 'b/1', 'b/2', 'b3', 'c', 'd/e/f', 'z'];
    for (const key of keys) await store.put(key, Readable.from([randomBytes(10)]));
    expect((await listAll(store)).map((o) => o.key)).toEqual(keys);
    expect((await listAll(store, 'b')).map((o) => o.key)).toEqual(['b/1', 'b/2', 'b3']);
    // Five versions of one key, deleted through pages of two.
    for (let i = 0; i < 4; i++) await store.put('c', Readable.from([randomBytes(10)]));
    await store.delete('c');
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: minio.lockedBucket, Prefix: `${own}/c` }),
    );
    const ofC = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].filter(
      (v) => v.Key === `${own}/c`,
    );
    expect(ofC).toEqual([]);
    for (const key of keys.filter((k) => k !== 'c')) await store.delete(key);
    expect(await listAll(store)).toEqual([]);
  });

  it('applies the storage class', async () => {
    const store = open({ storageClass: 'REDUCED_REDUNDANCY' });
    await store.put('c/n/rrs', Readable.from([randomBytes(100)]));
    const head = await s3.send(new HeadObjectCommand({ Bucket: minio.bucket, Key: `${prefix}/c/n/rrs` }));
    expect(head.StorageClass).toBe('REDUCED_REDUNDANCY');
  });

  it('says clearly when the server cannot do server-side encryption', async () => {
    const store = open({ sse: { type: 'AES256' } });
    const err = await store.put('c/n/sse', Readable.from([randomBytes(10)])).catch((e: unknown) => e);
    expect(isLifeboatError(err, 'store')).toBe(true);
    expect((err as Error).message).toMatch(/does not support what was asked while storing c\/n\/sse.*KMS/);
  });

  it('maps wrong credentials, a missing bucket and an unreachable endpoint to clear errors without secrets', async () => {
    const wrongSecret = 'not-the-secret-at-all';
    const cases: [S3Store, RegExp][] = [
      [
        open({ credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: wrongSecret } }),
        /^credentials rejected by http:\/\/127\.0\.0\.1:\d+ \(SignatureDoesNotMatch\)/,
      ],
      [
        open({ credentials: { accessKeyId: 'nobody', secretAccessKey: wrongSecret } }),
        /^credentials rejected by .* \(InvalidAccessKeyId\)/,
      ],
      [
        open({ bucket: 'no-such-bucket' }),
        /^bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1/,
      ],
      [
        open({ endpoint: `http://127.0.0.1:${await freePort()}` }),
        /^cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      ],
    ];
    for (const [store, message] of cases) {
      for (const attempt of [
        () => store.put('c/n/x', Readable.from([randomBytes(10)])),
        () => listAll(store),
        () => store.delete('c/n/x'),
      ]) {
        const err = await attempt().then(
          () => expect.fail('must fail'),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(LifeboatError);
        expect((err as LifeboatError).code).toBe('store');
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).not.toContain(wrongSecret);
        expect((err as Error).message).not.toContain(minio.secretAccessKey);
      }
    }
  });

  it('opens from a store URL with credentials from an env record, and its location holds no secret', async () => {
    const url = `s3://${minio.bucket}/${prefix}/via-url?endpoint=${encodeURIComponent(minio.endpoint)}&region=${minio.region}`;
    const store = openStore(parseStoreUrl(url), {
      env: { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey },
      s3: { partSize: 5 * MiB, queueSize: 2 },
    }) as S3Store;
    stores.push(store);
    expect(store.location).toBe(
      `s3://${minio.bucket}/${prefix}/via-url?endpoint=${encodeURIComponent(minio.endpoint)}&region=${minio.region}`,
    );
    expect(store.location).not.toContain(minio.secretAccessKey);
    const { data, chunks } = randomData(7 * MiB);
    await store.put('c/n/obj', Readable.from(chunks));
    expect((await readAll(await store.get('c/n/obj'))).equals(data)).toBe(true);
    const objects = await s3.send(
      new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: `${prefix}/via-url/` }),
    );
    expect(objects.Contents?.map((o) => o.Key)).toEqual([`${prefix}/via-url/c/n/obj`]);
  });
});

describe('S3Store with server-side encryption (MinIO with a KMS key)', () => {
  let kms: Minio;
  let client: S3Client;
  beforeAll(async () => {
    // startMinio passes this process's environment on to MinIO.
    process.env['MINIO_KMS_SECRET_KEY'] = `lifeboat-key:${randomBytes(32).toString('base64')}`;
    try {
      kms = await startMinio();
    } finally {
      delete process.env['MINIO_KMS_SECRET_KEY'];
    }
    client = kms.client();
  });
  afterAll(async () => {
    client?.destroy();
    await kms?.stop();
  });

  it.each([
    ['SSE-S3', { type: 'AES256' }, 'AES256'],
    ['SSE-KMS', { type: 'aws:kms', kmsKeyId: 'lifeboat-key' }, 'aws:kms'],
  ] as const)('stores objects with %s, single and multipart', async (_, sse, expected) => {
    const store = new S3Store({ ...storeOptions(kms, kms.bucket, 'sse'), sse });
    try {
      for (const size of [1000, 7 * MiB]) {
        const key = `c/n/${expected}-${size}`;
        const { data, chunks } = randomData(size);
        await store.put(key, Readable.from(chunks));
        const head = await client.send(new HeadObjectCommand({ Bucket: kms.bucket, Key: `sse/${key}` }));
        expect(head.ServerSideEncryption).toBe(expected);
        if (expected === 'aws:kms') expect(head.SSEKMSKeyId).toContain('lifeboat-key');
        expect((await readAll(await store.get(key))).equals(data)).toBe(true);
      }
    } finally {
      store.destroy();
    }
  });
});

describe('MinIO killed mid-upload', () => {
  let victim: Minio;
  let restarted: Server | undefined;
  let client: S3Client;
  beforeAll(async () => {
    victim = await startMinio();
    client = victim.client();
  });
  afterAll(async () => {
    client?.destroy();
    await restarted?.stop();
    await victim?.stop();
  });

  // MinIO again, on the same port and data folder, as a restarted pod would be.
  async function restart(): Promise<Server> {
    const { minio: binary } = await ensureBinary('minio');
    const dir = dirname(victim.server.logFile);
    const address = new URL(victim.endpoint).host;
    return startServer({
      name: 'minio (restarted)',
      command: binary!,
      args: [
        'server',
        '--quiet',
        '--address',
        address,
        '--console-address',
        `127.0.0.1:${await freePort()}`,
        join(dir, 'data'),
      ],
      logFile: join(dir, 'minio-restarted.log'),
      env: {
        MINIO_ROOT_USER: victim.accessKeyId,
        MINIO_ROOT_PASSWORD: victim.secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_REGION: victim.region,
      },
      ready: async () => {
        const res = await fetch(`${victim.endpoint}/minio/health/live`).catch(() => undefined);
        return res?.status === 200;
      },
    });
  }

  it('rejects the put with a clear error and leaves no multipart upload once MinIO is back', async () => {
    const store = new S3Store(storeOptions(victim, victim.bucket, 'killed'));
    let uploadsBeforeKill: unknown[] = [];
    let killed: Promise<void> | undefined;
    const body = slowBody(64 * MiB, async (sent) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (sent === 12 * MiB) {
        uploadsBeforeKill = await multipartUploads(client, victim.bucket, 'killed');
        killed = victim.server.kill().then(async () => {
          // Long enough for the put to give up on its parts (the SDK retries a
          // few times), short enough for its abort to still be retrying.
          await new Promise((resolve) => setTimeout(resolve, 3000));
          restarted = await restart();
        });
      }
    });
    const started = Date.now();
    const err = await store.put('c/n/obj', body).catch((e: unknown) => e);
    await killed;
    store.destroy();
    expect(uploadsBeforeKill).toHaveLength(1);
    expect(restarted).toBeDefined();
    expect(isLifeboatError(err, 'store'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+ \((ECONNREFUSED|ECONNRESET|EPIPE)\) while storing c\/n\/obj in s3:\/\/lifeboat\/killed/,
    );
    // The put waited for MinIO to come back to abort its upload.
    expect(Date.now() - started).toBeGreaterThan(3000);
    expect(await multipartUploads(client, victim.bucket, 'killed', ['c/n/obj'])).toEqual([]);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: victim.bucket, Prefix: 'killed/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('rides out a restart with the retry wrapper, where the bare store fails', async () => {
    const bare = new S3Store(storeOptions(victim, victim.bucket, 'retry'));
    const data = randomBytes(1000);
    await bare.put('c/n/obj', Readable.from([data]));
    const retries: RetryInfo[] = [];
    const store = new RetryStore(bare, {
      baseDelayMs: 500,
      retries: 6,
      onRetry: (info) => retries.push(info),
    });
    await restarted!.kill();
    expect(await rejectionCode(bare.stat('c/n/obj'))).toBe('store');
    const back = delay(1500).then(async () => {
      restarted = await restart();
    });
    expect(await store.stat('c/n/obj')).toEqual({ size: data.length, modified: expect.any(Date) });
    await back;
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ operation: 'stat', key: 'c/n/obj', attempt: 1 });
    expect((retries[0]!.error as Error).message).toMatch(/^cannot reach /);
    bare.destroy();
  });
});
