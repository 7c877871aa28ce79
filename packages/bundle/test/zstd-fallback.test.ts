// Where Node's zlib has no zstd (VS Code extension hosts on Node < 22.15),
// bundles are read with a JavaScript decoder. Here zlib's zstd is taken away
// and a real bundle, compressed by zlib and by the zstd CLI, must still
// unpack byte for byte — and damage must still fail as an integrity error.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  collect,
  describeTree,
  execFileAsync,
  kubeadmTree,
  sha256,
  snapshotStream,
  tempDir,
} from './helpers.ts';

const withoutZstd = vi.hoisted(() => ({ on: false }));
vi.mock('node:zlib', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:zlib')>();
  // A getter, so each test decides whether this Node "has" zstd.
  return {
    ...real,
    get createZstdDecompress() {
      return withoutZstd.on ? undefined : real.createZstdDecompress;
    },
  };
});

const { compressor, decompressor, hasNativeZstd, pack, snapshotPath, unpack } = await import(
  '../src/index.ts'
);
const { JsZstdDecompressor } = await import('../src/zstd/js-decompressor.ts');

let work: { path: string; remove: () => Promise<void> };
let source: string;
const snapshot = snapshotStream(3 * 1024 * 1024 + 5).data;

beforeAll(async () => {
  work = await tempDir();
  source = join(work.path, 'etc-kubernetes');
  await mkdir(source);
  await kubeadmTree(source);
});
afterAll(() => work.remove());

async function zstdBundle(): Promise<Buffer> {
  const packed = pack({
    snapshot: { stream: Readable.from([snapshot]), size: snapshot.length },
    kubernetesDir: source,
  });
  const [bytes] = await Promise.all([collect(packed.stream.pipe(compressor('zstd'))), packed.result]);
  return bytes;
}

/** `data` as a stream of uneven chunks, so frame and block boundaries fall inside chunks. */
function uneven(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, n = 1; at < data.length; n = (n * 7919) % 65_521) {
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks);
}

describe('zstd without zlib support', () => {
  it('decompressor("zstd") falls back to the JavaScript decoder', () => {
    withoutZstd.on = true;
    try {
      expect(hasNativeZstd()).toBe(false);
      expect(decompressor('zstd')).toBeInstanceOf(JsZstdDecompressor);
    } finally {
      withoutZstd.on = false;
    }
    expect(hasNativeZstd()).toBe(true);
    expect(decompressor('zstd')).not.toBeInstanceOf(JsZstdDecompressor);
  });

  it('unpacks a bundle zlib compressed, tree and snapshot intact', async () => {
    const bytes = await zstdBundle();
    const dest = join(work.path, 'fallback', 'restore');
    withoutZstd.on = true;
    try {
      await unpack(uneven(bytes), { dest, compression: 'zstd' });
    } finally {
      withoutZstd.on = false;
    }
    expect(describeTree(join(dest, 'kubernetes'))).toEqual(describeTree(source));
    expect(sha256(await readFile(join(dest, snapshotPath)))).toBe(sha256(snapshot));
  });

  it('reads what the zstd CLI writes, several frames one after another', async () => {
    const parts = [randomBytes(200_000), Buffer.from('apiVersion: v1\n'.repeat(100_000))];
    const frames: Buffer[] = [];
    for (const [i, part] of parts.entries()) {
      const file = join(work.path, `part-${i}`);
      await writeFile(file, part);
      await execFileAsync('zstd', ['-q', '-f', '-19', file]);
      frames.push(await readFile(`${file}.zst`));
    }
    const out = await collect(uneven(Buffer.concat(frames)).pipe(new JsZstdDecompressor()));
    expect(sha256(out)).toBe(sha256(Buffer.concat(parts)));
  });

  it('fails a damaged stream as an integrity error when unpacking', async () => {
    const bytes = Buffer.from(await zstdBundle());
    bytes.fill(0x55, 2000, 2400);
    withoutZstd.on = true;
    try {
      await expect(
        unpack(uneven(bytes), { dest: join(work.path, 'damaged', 'restore'), compression: 'zstd' }),
      ).rejects.toMatchObject({ code: 'integrity' });
    } finally {
      withoutZstd.on = false;
    }
  });
});
