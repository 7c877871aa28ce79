import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fromWebStream, toWebStream } from '../src/web-streams.ts';
import { collect, streamError } from './streams.ts';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

describe('Node to web streams', () => {
  it('passes every chunk through, in order, and reports the end', async () => {
    const seen: number[] = [];
    let ended = 0;
    const web = toWebStream(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      chunk: (b) => seen.push(b.length),
      end: () => ended++,
    });

    expect((await readAll(web)).toString()).toBe('abcd');
    expect(seen).toEqual([2, 2]);
    expect(ended).toBe(1);
  });

  it('reads nothing ahead of its reader', async () => {
    let reads = 0;
    const input = new Readable({
      highWaterMark: 1,
      read() {
        reads++;
        this.push(Buffer.alloc(1024));
      },
    });
    const reader = toWebStream(input).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 50));

    expect(reads).toBeLessThanOrEqual(3);
    await reader.cancel();
  });

  it('errors with the input’s error, reporting it once', async () => {
    const boom = new Error('boom');
    const input = new PassThrough();
    const errors: unknown[] = [];
    const web = toWebStream(input, { error: (e) => errors.push(e) });
    input.write('x');
    setTimeout(() => input.destroy(boom), 10);

    await expect(readAll(web)).rejects.toBe(boom);
    expect(errors).toEqual([boom]);
  });

  it('errors for an input destroyed before it was handed over', async () => {
    const boom = new Error('gone');
    const input = new PassThrough();
    input.on('error', () => {});
    input.destroy(boom);
    await new Promise((r) => setImmediate(r));

    await expect(readAll(toWebStream(input))).rejects.toBe(boom);

    const closed = new PassThrough();
    closed.destroy();
    await expect(readAll(toWebStream(closed))).rejects.toThrow('destroyed before it was read');
  });

  it('destroys the input when cancelled', async () => {
    const input = new PassThrough();
    const web = toWebStream(input);

    await web.cancel(new Error('not needed'));

    expect(input.destroyed).toBe(true);
  });

  it('refuses object chunks', async () => {
    const web = toWebStream(Readable.from([{ not: 'bytes' }]));

    await expect(readAll(web)).rejects.toThrow(/expected a byte stream/);
  });
});

describe('web to Node streams', () => {
  it('passes chunks through and carries errors', async () => {
    const ok = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Uint8Array.of(1, 2));
        c.close();
      },
    });
    expect([...(await collect(fromWebStream(ok)))]).toEqual([1, 2]);

    const boom = new Error('boom');
    const bad = new ReadableStream<Uint8Array>({
      pull() {
        throw boom;
      },
    });
    expect(await streamError(fromWebStream(bad))).toBe(boom);
  });

  it('cancels the web stream when destroyed', async () => {
    let cancelled = false;
    const web = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(Uint8Array.of(1));
      },
      cancel() {
        cancelled = true;
      },
    });
    const node = fromWebStream(web);
    await new Promise((resolve) => node.once('data', resolve));

    node.destroy();
    await new Promise((r) => setTimeout(r, 20));

    expect(cancelled).toBe(true);
  });
});
