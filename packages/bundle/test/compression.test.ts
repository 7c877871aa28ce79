import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Compression } from '@lifeboat/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressor, decompressed, decompressor, defaultLevels } from '../src/index.ts';
import { collect, execFileAsync, flip, sha256, tempDir } from './helpers.ts';

let work: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  work = await tempDir();
});
afterAll(() => work.remove());

const data = Buffer.concat([randomBytes(300_000), Buffer.from('kind: ConfigMap\n'.repeat(50_000))]);

describe('compression', () => {
  it.each(['zstd', 'gzip', 'none'] as const)('%s round-trips', async (kind: Compression) => {
    const packed = await collect(Readable.from([data]).pipe(compressor(kind)));
    if (kind !== 'none') expect(packed.length).toBeLessThan(data.length / 2);
    expect(sha256(await collect(Readable.from([packed]).pipe(decompressor(kind))))).toBe(sha256(data));
  });

  it.each(['zstd', 'gzip'] as const)(
    "%s decompresses in 128 KiB chunks, as it compresses (zlib's 16 KiB would cost 8× the round trips)",
    async (kind) => {
      const sizes = async (stream: NodeJS.ReadableStream) => {
        const seen: number[] = [];
        for await (const chunk of stream) seen.push((chunk as Buffer).length);
        return seen;
      };
      const big = Buffer.concat(Array.from({ length: 8 }, () => data));
      const packed = await collect(Readable.from([big]).pipe(compressor(kind)));
      const out = await sizes(Readable.from([packed]).pipe(decompressor(kind)));
      expect(out.reduce((a, b) => a + b, 0)).toBe(big.length);
      expect(Math.max(...out)).toBe(128 * 1024);
      expect(out.length).toBeLessThanOrEqual(Math.ceil(big.length / (128 * 1024)) + 2);
    },
  );

  it('writes zstd frames with a content checksum that the zstd CLI verifies', async () => {
    const file = join(work.path, 'x.zst');
    await writeFile(file, await collect(Readable.from([data]).pipe(compressor('zstd'))));
    await execFileAsync('zstd', ['-t', '-q', file]);
    const { stdout } = await execFileAsync('zstd', ['-lv', file]);
    expect(stdout).toMatch(/Check: XXH64/);
  });

  it('writes gzip that gzip verifies', async () => {
    const file = join(work.path, 'x.gz');
    await writeFile(file, await collect(Readable.from([data]).pipe(compressor('gzip'))));
    await execFileAsync('gzip', ['-t', file]);
  });

  it('refuses levels out of range, and defaults sensibly', () => {
    expect(() => compressor('zstd', 0)).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => compressor('zstd', 20)).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => compressor('gzip', 10)).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(defaultLevels).toEqual({ zstd: 1, gzip: 6 });
  });

  it('reports damaged compressed data as an integrity problem, via the bundle reader', async () => {
    // decompressed() wires the stages; the mapping to 'integrity' happens where entries are read.
    const packed = await collect(Readable.from([data]).pipe(compressor('zstd')));
    flip(packed, packed.length >> 1, 0xff);
    await expect(collect(decompressed(Readable.from([packed]), 'zstd'))).rejects.toMatchObject({
      code: expect.stringMatching(/^ZSTD_error/),
    });
  });
});
