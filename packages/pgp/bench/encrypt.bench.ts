// Throughput and peak memory of encryptStream() over generated data, to check
// that openpgp.js streams rather than buffers: peak RSS must stay flat as the
// size grows. Run: node bench/encrypt.bench.ts [MiB=512] [--no-sign] [--recipients=N]
import { randomFillSync } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import { encryptionProfile, encryptStream } from '../src/index.ts';

const args = process.argv.slice(2);
const mib = Number(args.find((a) => /^\d+$/.test(a)) ?? 512);
const sign = !args.includes('--no-sign');
const recipientCount = Number(
  /^--recipients=(\d+)$/.exec(args.find((a) => a.startsWith('--recipients=')) ?? '')?.[1] ?? 1,
);
const chunkSize = 64 * 1024;

/** `mib` MiB of random bytes in fresh 64 KiB chunks (openpgp.js may hold on to a chunk, so none is reused). */
function generated(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(chunkSize, left)));
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

const keys = await Promise.all(
  Array.from({ length: Math.max(recipientCount, 1) }, (_, i) =>
    openpgp.generateKey({ userIDs: [{ name: `bench ${i}` }], format: 'object' }),
  ),
);
const recipients = keys.slice(0, recipientCount).map((k) => ({ key: k.publicKey }));
const profile = await encryptionProfile(recipients);

let peakRss = process.memoryUsage().rss;
const baselineRss = peakRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

let written = 0;
const started = performance.now();
await pipeline(
  encryptStream({
    input: generated(mib * 1024 * 1024),
    recipients,
    signingKey: sign ? { key: keys[0]!.privateKey } : undefined,
    profile,
  }),
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      done();
    },
  }),
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const toMiB = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(
  JSON.stringify({
    node: process.version,
    plaintextMiB: mib,
    ciphertextMiB: Number(toMiB(written)),
    signed: sign,
    recipients: recipientCount,
    seipdv2: profile.seipdv2,
    seconds: Number(seconds.toFixed(2)),
    throughputMiBps: Number((mib / seconds).toFixed(1)),
    baselineRssMiB: Number(toMiB(baselineRss)),
    peakRssMiB: Number(toMiB(peakRss)),
    maxRssMiB: Number(toMiB(process.resourceUsage().maxRSS * 1024)),
  }),
);
