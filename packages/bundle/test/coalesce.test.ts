// coalesce(): the same bytes, in chunks of the asked size except the last.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../src/index.ts';

/** The chunks as a pipe delivers them ('data' events; async iteration would merge them). */
async function through(chunks: Buffer[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const stage = coalesce(size);
  stage.on('data', (chunk: Buffer) => out.push(Buffer.from(chunk)));
  await pipeline(Readable.from(chunks), stage);
  return out;
}

describe('coalesce', () => {
  it('gathers small chunks and splits large ones, bytes unchanged', async () => {
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff));
    const pieces = [3, 1, 4000, 96, 5900].reduce<{ at: number; chunks: Buffer[] }>(
      (acc, n) => ({ at: acc.at + n, chunks: [...acc.chunks, data.subarray(acc.at, acc.at + n)] }),
      { at: 0, chunks: [] },
    ).chunks;
    const out = await through(pieces, 1024);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(out.slice(0, -1).every((c) => c.length === 1024)).toBe(true);
    expect(out.at(-1)!.length).toBe(10_000 % 1024);
  });

  it('passes nothing for no input, and an exact multiple without a short tail', async () => {
    expect(await through([], 16)).toEqual([]);
    const out = await through([Buffer.alloc(32, 1)], 16);
    expect(out.map((c) => c.length)).toEqual([16, 16]);
  });
});
