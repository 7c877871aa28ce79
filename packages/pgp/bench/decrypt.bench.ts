// Throughput and peak memory of decryptToFile() on a message made by
// encryptStream(), read from disk, to check that SEIPDv1 decryption streams
// (allowUnauthenticatedStream) instead of buffering the whole plaintext.
// Run: node bench/decrypt.bench.ts [MiB=512]
import { randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import { decryptToFile, encryptionProfile, encryptStream } from '../src/index.ts';

const mib = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 512);
const chunkSize = 64 * 1024;

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

const dir = await mkdtemp(join(tmpdir(), 'lifeboat-pgp-bench-'));
try {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name: 'bench' }],
    format: 'object',
  });
  const recipients = [{ key: publicKey }];
  const message = join(dir, 'payload.pgp');
  await pipeline(
    encryptStream({
      input: generated(mib * 1024 * 1024),
      recipients,
      signingKey: { key: privateKey },
      profile: await encryptionProfile(recipients),
    }),
    createWriteStream(message),
  );

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const result = await decryptToFile({
    input: createReadStream(message),
    privateKeys: [{ key: privateKey }],
    expectedSigner: publicKey,
    dest: join(dir, 'payload'),
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const toMiB = (n: number) => Number((n / 1024 / 1024).toFixed(1));
  console.log(
    JSON.stringify({
      node: process.version,
      plaintextMiB: toMiB(result.bytes),
      messageMiB: toMiB((await stat(message)).size),
      signed: result.signer !== undefined,
      seconds: Number(seconds.toFixed(2)),
      throughputMiBps: Number((mib / seconds).toFixed(1)),
      baselineRssMiB: toMiB(baselineRss),
      peakRssMiB: toMiB(peakRss),
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
