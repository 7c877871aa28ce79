import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressor, manifestPath, pack, parseManifest, readTar, snapshotPath } from '../src/index.ts';
import {
  chunked,
  collect,
  describeTree,
  kubeadmTree,
  nullSink,
  sha256,
  snapshotStream,
  tempDir,
} from './helpers.ts';

let work: { path: string; remove: () => Promise<void> };
let source: string;

beforeAll(async () => {
  work = await tempDir();
  source = join(work.path, 'etc-kubernetes');
  await mkdir(source);
  await kubeadmTree(source);
});
afterAll(() => work.remove());

/** A snapshot stream that sends `first` bytes, then nothing (as a hung etcd), until destroyed. */
function stallingSnapshot(first: number): Readable & { stalled: Promise<void> } {
  let reads = 0;
  let stalled!: () => void;
  const stream = new Readable({
    read() {
      // Asked for more after the first chunk was taken: from now on it hangs.
      if (++reads === 2) stalled();
      if (reads === 1) this.push(Buffer.alloc(first, 1));
    },
  }) as Readable & { stalled: Promise<void> };
  stream.stalled = new Promise<void>((resolve) => {
    stalled = resolve;
  });
  return stream;
}

describe('pack', () => {
  it('writes the snapshot first, the sorted tree, and the manifest last, digesting every file', async () => {
    const { stream, data } = snapshotStream(2 * 1024 * 1024 + 7);
    const packed = pack({ snapshot: { stream, size: data.length }, kubernetesDir: source });
    const archive = await collect(packed.stream);
    const result = await packed.result;

    const entries: { path: string; type: string; mode: number; sha256?: string; data?: Buffer }[] = [];
    for await (const { header, body } of readTar(chunked(archive))) {
      const content = header.type === 'file' ? await collect(body) : undefined;
      entries.push({ path: header.path, type: header.type, mode: header.mode, data: content });
    }
    const paths = entries.map((e) => e.path);
    expect(paths[0]).toBe(snapshotPath);
    expect(paths[1]).toBe('kubernetes');
    expect(paths.at(-1)).toBe(manifestPath);
    const tree = describeTree(source);
    expect(paths.slice(2, -1)).toEqual(Object.keys(tree).map((p) => `kubernetes/${p}`));
    expect(sha256(entries[0]!.data!)).toBe(sha256(data));

    const manifest = parseManifest(entries.at(-1)!.data!, 'manifest');
    expect(manifest).toEqual(result.manifest);
    expect(manifest.entries.map((e) => e.path)).toEqual(paths.slice(0, -1));
    expect(manifest.entries[0]).toEqual({
      path: snapshotPath,
      type: 'file',
      mode: '0600',
      size: data.length,
      sha256: sha256(data),
    });
    for (const entry of manifest.entries) {
      const read = entries.find((e) => e.path === entry.path)!;
      expect(entry.mode).toBe(read.mode.toString(8).padStart(4, '0'));
      if (entry.type === 'file') expect(entry.sha256).toBe(sha256(read.data!));
      if (entry.path === 'kubernetes/ca-link.crt')
        expect(entry).toMatchObject({ type: 'symlink', target: 'pki/ca.crt' });
    }

    const files = Object.values(tree).filter((e) => e.type === 'file');
    expect(result.files).toBe(files.length);
    expect(result.bytes).toBe(files.reduce((n, f) => n + f.size!, 0));
    expect(result.tarBytes).toBe(archive.length);
    expect(result.snapshot).toEqual({ hex: sha256(data), size: data.length });
    expect(result.skipped).toEqual([]);
  });

  it.each([
    ['shorter', 1000, 999, /ended after 999 of the 1000 bytes/],
    ['longer', 1000, 1001, /went on past the 1000 bytes/],
  ])('fails when the snapshot stream is %s than declared', async (_what, declared, actual, message) => {
    const packed = pack({
      snapshot: { stream: Readable.from([Buffer.alloc(actual)]), size: declared },
      kubernetesDir: source,
    });
    const failure = { code: 'integrity', message: expect.stringMatching(message) };
    await expect(pipeline(packed.stream, compressor('zstd'), nullSink())).rejects.toMatchObject(failure);
    await expect(packed.result).rejects.toMatchObject(failure);
    await expect(packed.result).rejects.toMatchObject({
      message: expect.stringContaining(`"${snapshotPath}"`),
    });
  });

  it('fails when the Kubernetes directory is missing', async () => {
    const { stream, data } = snapshotStream(1000);
    const packed = pack({ snapshot: { stream, size: data.length }, kubernetesDir: join(work.path, 'nope') });
    await expect(pipeline(packed.stream, nullSink())).rejects.toMatchObject({ code: 'io' });
    await expect(packed.result).rejects.toMatchObject({ code: 'io' });
  });

  it('tears everything down when its signal aborts mid-stream', async () => {
    const snapshot = stallingSnapshot(300_000);
    const controller = new AbortController();
    const packed = pack({
      snapshot: { stream: snapshot, size: 10_000_000 },
      kubernetesDir: source,
      signal: controller.signal,
    });
    const sink = nullSink();
    const flowing = pipeline(packed.stream, compressor('zstd'), sink, { signal: controller.signal });
    // Abort once data flowed and the snapshot hangs: only the signal can end this.
    await snapshot.stalled;
    controller.abort(new Error('SIGTERM'));
    await expect(flowing).rejects.toBeDefined();
    await expect(packed.result).rejects.toMatchObject({ code: 'aborted' });
    expect(snapshot.destroyed).toBe(true);
    expect(packed.stream.destroyed).toBe(true);
  });

  it('tears everything down when a downstream stage fails', async () => {
    // More than one 512 KiB output chunk before the stall, so the failing stage gets bytes.
    const snapshot = stallingSnapshot(1_000_000);
    const packed = pack({ snapshot: { stream: snapshot, size: 10_000_000 }, kubernetesDir: source });
    const boom = new Error('disk full');
    let seen = 0;
    const failing = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        callback(seen > 50_000 ? boom : null);
      },
    });
    await expect(pipeline(packed.stream, failing)).rejects.toBe(boom);
    await expect(packed.result).rejects.toBe(boom);
    expect(snapshot.destroyed).toBe(true);
  });

  it('fails at once when its signal is already aborted', async () => {
    const { stream, data } = snapshotStream(1000);
    const packed = pack({
      snapshot: { stream, size: data.length },
      kubernetesDir: source,
      signal: AbortSignal.abort(),
    });
    await expect(pipeline(packed.stream, nullSink())).rejects.toMatchObject({ code: 'aborted' });
    await expect(packed.result).rejects.toMatchObject({ code: 'aborted' });
    expect(stream.destroyed).toBe(true);
  });
});
