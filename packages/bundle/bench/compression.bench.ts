// Speed and ratio of each compression level on Kubernetes-shaped data, to
// choose the defaults in src/compression.ts.
//   node bench/compression.bench.ts [FILE]
// FILE: e.g. an etcd snapshot filled by test/infra's fillEtcd; without one,
// 32 MiB of generated Kubernetes objects laid out in 4 KiB pages.
import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '@lifeboat/core';
import { kubernetesObjects } from '../../../test/infra/data.ts';
import { compressor } from '../src/index.ts';

async function sample(path: string | undefined): Promise<Buffer> {
  if (path) return readFile(path);
  // Values packed into 4 KiB pages with slack, like bbolt leaves them.
  const pages: Buffer[] = [];
  let page = Buffer.alloc(0);
  let total = 0;
  for (const { key, value } of kubernetesObjects(7)) {
    page = Buffer.concat([page, Buffer.from(key), value]);
    while (page.length >= 3072) {
      pages.push(Buffer.concat([page.subarray(0, 3072), Buffer.alloc(1024)]));
      page = page.subarray(3072);
      total += 4096;
    }
    if (total >= 32 * 1024 * 1024) break;
  }
  return Buffer.concat(pages);
}

async function measure(
  data: Buffer,
  kind: Compression,
  level: number,
): Promise<{ mbps: number; cpuMbps: number; ratio: number }> {
  let out = 0;
  const chunks = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) =>
    data.subarray(i * 65536, (i + 1) * 65536),
  );
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await pipeline(
    Readable.from(chunks),
    compressor(kind, level),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out += chunk.length;
        cb();
      },
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // CPU time (all threads: zlib works on the thread pool) is steadier than wall time on a busy machine.
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    mbps: data.length / 1048576 / seconds,
    cpuMbps: data.length / 1048576 / cpuSeconds,
    ratio: data.length / out,
  };
}

const data = await sample(process.argv[2]);
console.log(`${(data.length / 1048576).toFixed(1)} MiB from ${process.argv[2] ?? 'generated objects'}`);
for (const [kind, levels] of [
  ['zstd', [1, 2, 3, 4, 5, 9, 15]],
  ['gzip', [1, 6]],
] as const) {
  for (const level of levels) {
    // Best of three: the machine is shared, and the first run warms up.
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await measure(data, kind, level));
    const { mbps, ratio } = runs.reduce((a, b) => (a.mbps > b.mbps ? a : b));
    const { cpuMbps } = runs.reduce((a, b) => (a.cpuMbps > b.cpuMbps ? a : b));
    console.log(
      `${kind.padEnd(5)} ${String(level).padStart(2)}  ${mbps.toFixed(0).padStart(5)} MiB/s wall  ${cpuMbps.toFixed(0).padStart(5)} MiB/CPU-s  ratio ${ratio.toFixed(2)}`,
    );
  }
}
