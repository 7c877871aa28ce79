// `snapshot save`'s file writer: the file holds exactly the bytes written, in
// order, whatever the chunk sizes and however the file takes them; it stops at
// the first error (upstream or its own) without a clean finish; and a slow disk
// holds the source back instead of letting memory grow.
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink } from '../src/operations/file-sink.ts';

/** A FileHandle stand-in that records writes, takes at most `maxPerWrite` bytes per call, and can be held or fail once. */
function fakeHandle(options: { maxPerWrite?: number; failingWrite?: number } = {}) {
  const written: Buffer[] = [];
  const log: string[] = [];
  let held: (() => void)[] | undefined;
  let writes = 0;
  const handle = {
    fd: 99,
    async write(buffer: Buffer) {
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      writes++;
      if (writes === options.failingWrite) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      const n = Math.min(buffer.length, options.maxPerWrite ?? buffer.length);
      // The sink reuses its buffers: keep a copy, as the kernel would.
      written.push(Buffer.from(buffer.subarray(0, n)));
      log.push('write');
      return { bytesWritten: n, buffer };
    },
    async sync() {
      log.push('sync');
    },
  };
  return {
    handle: handle as unknown as FileHandle,
    bytes: () => Buffer.concat(written),
    log,
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const resume of waiting) resume();
    },
  };
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
      const sink = new FileSink(handle, { batchBytes: 4096, flush: true, onBytes: (n) => (counted += n) });
      // Smaller, equal to and larger than a batch, and empty.
      await pipeline(Readable.from(chunksOf(data, [1, 4095, 4096, 10_000, 0, 32_768, 7])), sink);
    } finally {
      await handle.close();
    }
    expect((await readFile(path)).equals(data)).toBe(true);
    expect(counted).toBe(data.length);
  });

  it('writes 1 MiB batches by default, the rest at the end, then fsyncs once', async () => {
    const data = randomBytes(2.5 * 1024 * 1024);
    const fake = fakeHandle();
    await pipeline(Readable.from(chunksOf(data, [32 * 1024])), new FileSink(fake.handle, { flush: true }));
    expect(fake.bytes().equals(data)).toBe(true);
    expect(fake.log).toEqual(['write', 'write', 'write', 'sync']);
  });

  it('finishes short writes (a file may take fewer bytes than asked)', async () => {
    const data = randomBytes(50_000);
    const fake = fakeHandle({ maxPerWrite: 777 });
    await pipeline(
      Readable.from(chunksOf(data, [3000, 12_345])),
      new FileSink(fake.handle, { batchBytes: 8192 }),
    );
    expect(fake.bytes().equals(data)).toBe(true);
  });

  it('fails on a write error, takes nothing after it and does not fsync', async () => {
    // Only the third write fails: a sink that went on would get the next ones through.
    const fake = fakeHandle({ failingWrite: 3 });
    const data = randomBytes(64 * 1024);
    await expect(
      pipeline(
        Readable.from(chunksOf(data, [1000])),
        new FileSink(fake.handle, { batchBytes: 4096, flush: true }),
      ),
    ).rejects.toThrow(/ENOSPC/);
    expect(fake.bytes().equals(data.subarray(0, 2 * 4096))).toBe(true);
    expect(fake.log).not.toContain('sync');
  });

  it('fails when the source fails, without a clean finish', async () => {
    const fake = fakeHandle();
    async function* broken() {
      yield randomBytes(5000);
      throw new Error('etcd went away');
    }
    const sink = new FileSink(fake.handle, { batchBytes: 4096, flush: true });
    let finished = false;
    sink.on('finish', () => (finished = true));
    await expect(pipeline(Readable.from(broken()), sink)).rejects.toThrow('etcd went away');
    expect(finished).toBe(false);
    expect(fake.log).not.toContain('sync');
  });

  it('holds the source back while the file does not keep up (memory stays bounded)', async () => {
    const fake = fakeHandle();
    fake.hold();
    const batchBytes = 64 * 1024;
    let produced = 0;
    const source = new Readable({
      highWaterMark: batchBytes,
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024, 1));
        if (produced >= 100 * batchBytes) this.push(null);
      },
    });
    const done = pipeline(source, new FileSink(fake.handle, { batchBytes }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Two batches, the Writable's buffer and the source's: nowhere near the 100 it could make.
    expect(produced).toBeLessThanOrEqual(5 * batchBytes);
    const before = produced;
    fake.release();
    await done;
    expect(produced).toBeGreaterThan(before);
    expect(fake.bytes().length).toBe(100 * batchBytes);
  });
});
