import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DigestStream } from '../src/index.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

// Cuts data at random places, so chunk boundaries differ on every run.
function cut(data: Buffer, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const next = Math.min(data.length, at + randomInt(1, maxChunk + 1));
    chunks.push(data.subarray(at, next));
    at = next;
  }
  return chunks;
}

// A sink that keeps what reaches it.
function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

describe('DigestStream', () => {
  it.each([
    [1, 1],
    [1000, 7],
    [3 * 1024 * 1024 + 17, 200_000],
  ])(
    'passes %i random bytes through unchanged in chunks up to %i, digesting them',
    async (size, maxChunk) => {
      const data = randomBytes(size);
      const digest = new DigestStream();
      const { sink, bytes } = collector();
      await pipeline(Readable.from(cut(data, maxChunk)), digest, sink);
      expect(bytes().equals(data)).toBe(true);
      const expected = { hex: sha256(data), size: data.length };
      expect(digest.result).toEqual(expected);
      expect(await digest.digest).toEqual(expected);
      expect(digest.size).toBe(data.length);
    },
  );

  it('digests an empty stream', async () => {
    const digest = new DigestStream();
    const { sink, bytes } = collector();
    await pipeline(Readable.from([]), digest, sink);
    expect(bytes().length).toBe(0);
    expect(await digest.digest).toEqual({ hex: sha256(new Uint8Array()), size: 0 });
  });

  it('counts while flowing and has no result before the end', async () => {
    const digest = new DigestStream();
    const first = randomBytes(randomInt(1, 5000));
    const second = randomBytes(randomInt(1, 5000));
    digest.resume();
    await new Promise<void>((resolve) => digest.write(first, () => resolve()));
    expect(digest.size).toBe(first.length);
    expect(digest.result).toBeUndefined();
    digest.end(second);
    const result = await digest.digest;
    expect(result).toEqual({
      hex: sha256(Buffer.concat([first, second])),
      size: first.length + second.length,
    });
  });

  it('propagates an error from upstream and rejects its digest', async () => {
    const boom = new Error('snapshot stream broke');
    const chunks = cut(randomBytes(500_000), 50_000);
    async function* failing() {
      yield* chunks;
      throw boom;
    }
    const digest = new DigestStream();
    const { sink } = collector();
    await expect(pipeline(failing(), digest, sink)).rejects.toBe(boom);
    await expect(digest.digest).rejects.toBe(boom);
    expect(digest.result).toBeUndefined();
  });

  it('fails the pipeline when the sink fails midway, and rejects its digest', async () => {
    const boom = new Error('disk full');
    const digest = new DigestStream();
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(boom);
      },
    });
    async function* many() {
      for (let i = 0; i < 200; i++) yield randomBytes(64 * 1024);
    }
    await expect(pipeline(many(), digest, sink)).rejects.toBe(boom);
    await expect(digest.digest).rejects.toBe(boom);
    expect(digest.size).toBeLessThan(200 * 64 * 1024);
  });

  it('rejects its digest when destroyed before the end', async () => {
    const digest = new DigestStream();
    digest.write(randomBytes(10));
    digest.destroy();
    await expect(digest.digest).rejects.toMatchObject({ code: 'aborted' });
  });
});
