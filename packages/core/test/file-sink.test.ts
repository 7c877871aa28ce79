// FileSink, the file writer of `snapshot save`, `fetch` and `verify --key`:
// the file holds exactly the bytes written, in order, whatever the chunk sizes
// and however the file takes them, in writes of at most 32 KiB; it stops at
// the first error (upstream or its own) without a clean finish; and each chunk
// is in the file before the next is taken.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink, writeSliceBytes } from '../src/file-sink.ts';

/** A file stand-in that records writes, takes at most `maxPerWrite` bytes per call, and can fail once. */
function fakeFile(options: { maxPerWrite?: number; failingWrite?: number } = {}) {
  const written: Buffer[] = [];
  const log: string[] = [];
  let writes = 0;
  const writeSync = (_fd: number, buffer: Buffer, offset: number, length: number): number => {
    writes++;
    if (writes === options.failingWrite) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    const n = Math.min(length, options.maxPerWrite ?? length);
    written.push(Buffer.from(buffer.subarray(offset, offset + n)));
    log.push(`write ${n}`);
    return n;
  };
  const file = {
    fd: 99,
    async sync() {
      log.push('sync');
    },
  };
  return { file, writeSync, bytes: () => Buffer.concat(written), log };
}

function chunksOf(data: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('FileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-file-sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly the bytes it was given to a real file, in order, whatever the chunk sizes', async () => {
    const data = randomBytes(300_000);
    const path = join(dir, 'out');
    const handle = await open(path, 'wx');
    let counted = 0;
    try {
      const sink = new FileSink(handle, { flush: true, onBytes: (n) => (counted += n) });
      // Smaller, equal to and larger than a write slice, and empty.
      await pipeline(Readable.from(chunksOf(data, [1, 4095, 32_768, 100_000, 0, 32_769, 7])), sink);
    } finally {
      await handle.close();
    }
    expect((await readFile(path)).equals(data)).toBe(true);
    expect(counted).toBe(data.length);
  });

  it('writes a large chunk in 32 KiB slices, then fsyncs once', async () => {
    const data = randomBytes(2.5 * writeSliceBytes);
    const fake = fakeFile();
    await pipeline(
      Readable.from([data]),
      new FileSink(fake.file, { flush: true, writeSync: fake.writeSync }),
    );
    expect(fake.bytes().equals(data)).toBe(true);
    expect(fake.log).toEqual([
      `write ${writeSliceBytes}`,
      `write ${writeSliceBytes}`,
      `write ${writeSliceBytes / 2}`,
      'sync',
    ]);
  });

  it('finishes short writes (a file may take fewer bytes than asked)', async () => {
    const data = randomBytes(50_000);
    const fake = fakeFile({ maxPerWrite: 777 });
    await pipeline(
      Readable.from(chunksOf(data, [3000, 12_345])),
      new FileSink(fake.file, { writeSync: fake.writeSync }),
    );
    expect(fake.bytes().equals(data)).toBe(true);
  });

  it('fails on a write error, takes nothing after it and does not fsync', async () => {
    // Only the third write fails: a sink that went on would get the next ones through.
    const fake = fakeFile({ failingWrite: 3 });
    const data = randomBytes(64 * 1024);
    let counted = 0;
    await expect(
      pipeline(
        Readable.from(chunksOf(data, [1000])),
        new FileSink(fake.file, { flush: true, writeSync: fake.writeSync, onBytes: (n) => (counted += n) }),
      ),
    ).rejects.toThrow(/ENOSPC/);
    expect(fake.bytes().equals(data.subarray(0, 2000))).toBe(true);
    expect(counted).toBe(2000);
    expect(fake.log).not.toContain('sync');
  });

  it('fails when a write makes no progress, rather than spinning', async () => {
    const sink = new FileSink({ fd: 99, sync: async () => {} }, { writeSync: () => 0 });
    await expect(pipeline(Readable.from([Buffer.alloc(10)]), sink)).rejects.toThrow(/made no progress/);
  });

  it('fails when the source fails, without a clean finish', async () => {
    const fake = fakeFile();
    async function* broken() {
      yield randomBytes(5000);
      throw new Error('etcd went away');
    }
    const sink = new FileSink(fake.file, { flush: true, writeSync: fake.writeSync });
    let finished = false;
    sink.on('finish', () => (finished = true));
    await expect(pipeline(Readable.from(broken()), sink)).rejects.toThrow('etcd went away');
    expect(finished).toBe(false);
    expect(fake.log).not.toContain('sync');
  });

  it('has each chunk in the file before it takes the next (nothing queues in memory)', async () => {
    const fake = fakeFile();
    const chunk = 1024;
    let produced = 0;
    const behind: number[] = [];
    const source = new Readable({
      read() {
        // What the source has made, less what reached the file: at most the chunk in hand.
        behind.push(produced - fake.bytes().length);
        produced += chunk;
        this.push(Buffer.alloc(chunk, 1));
        if (produced >= 1000 * chunk) this.push(null);
      },
    });
    await pipeline(source, new FileSink(fake.file, { writeSync: fake.writeSync }));
    expect(fake.bytes().length).toBe(1000 * chunk);
    expect(Math.max(...behind)).toBeLessThanOrEqual(16 * chunk);
  });
});
