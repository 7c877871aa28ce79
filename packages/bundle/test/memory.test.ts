// Constant memory whatever the snapshot size: 512 MiB through pack and zstd
// must not grow the process by more than a few buffers. (Throughput lives in
// bench/pack.bench.ts; this only checks memory, with a generous time limit.)
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compressor, pack } from '../src/index.ts';
import { generatedSnapshot, kubeadmTree, nullSink, tempDir } from './helpers.ts';

let work: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  work = await tempDir();
  await mkdir(join(work.path, 'kubernetes'));
  await kubeadmTree(join(work.path, 'kubernetes'));
});
afterAll(() => work.remove());

it('packs a 512 MiB snapshot through zstd with under 100 MiB of RSS growth', {
  timeout: 120_000,
}, async () => {
  const size = 512 * 1024 * 1024;
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const packed = pack({
      snapshot: { stream: generatedSnapshot(size), size },
      kubernetesDir: join(work.path, 'kubernetes'),
    });
    const sink = nullSink();
    await pipeline(packed.stream, compressor('zstd'), sink);
    const result = await packed.result;
    expect(result.snapshot.size).toBe(size);
    expect(sink.bytes).toBeGreaterThan(0);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  expect((peak - baseline) / 1048576).toBeLessThan(100);
});
