// Throughput and peak memory of the bundle stage: a generated snapshot stream
// (never held in memory) and a kubeadm-like tree, packed and compressed into
// a sink that drops the bytes.
//   node bench/pack.bench.ts [MiB=512] [zstd|gzip|none] [level]
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '@lifeboat/core';
import { compressor, pack } from '../src/index.ts';
import { generatedSnapshot, kubeadmTree, nullSink, tempDir } from '../test/helpers.ts';

const mib = Number(process.argv[2] ?? 512);
const kind = (process.argv[3] ?? 'zstd') as Compression;
const level = process.argv[4] ? Number(process.argv[4]) : undefined;

const work = await tempDir('bundle-bench-');
try {
  const tree = join(work.path, 'kubernetes');
  await mkdir(tree);
  await kubeadmTree(tree);

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);

  const size = mib * 1024 * 1024;
  const started = process.hrtime.bigint();
  const packed = pack({ snapshot: { stream: generatedSnapshot(size), size }, kubernetesDir: tree });
  const sink = nullSink();
  await pipeline(packed.stream, compressor(kind, level), sink);
  const result = await packed.result;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const m = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  console.log(
    `bundle: ${m(result.tarBytes)} tar → ${m(sink.bytes)} ${kind}${level ? ` -${level}` : ''} in ${seconds.toFixed(2)} s`,
  );
  console.log(`throughput: ${(result.tarBytes / 1048576 / seconds).toFixed(0)} MiB/s of tar`);
  console.log(`rss: baseline ${m(baseline)}, peak ${m(peak)}, growth ${m(peak - baseline)}`);
} finally {
  await work.remove();
}
