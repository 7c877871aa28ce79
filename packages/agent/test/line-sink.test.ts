// `snapshot ls -o jsonl` output batching: every line arrives whole and in order, whatever its
// length and characters, and no batch is reused while the stream may still hold it.
import { describe, expect, it } from 'vitest';
import { lineSink } from '../src/commands/run/snapshot-io.ts';
import type { Io } from '../src/io.ts';

function collecting(): { io: Io; chunks: (string | Uint8Array)[] } {
  const chunks: (string | Uint8Array)[] = [];
  const io: Io = {
    stdout: () => {
      throw new Error('stdout used although writeStdout is there');
    },
    stderr: () => {},
    env: {},
    writeStdout: async (chunk) => {
      chunks.push(chunk);
    },
  };
  return { io, chunks };
}

describe('lineSink', () => {
  it('writes every line once, in order, in batches of at most 64 KiB', async () => {
    const { io, chunks } = collecting();
    const out = lineSink(io);
    const lines = Array.from({ length: 5000 }, (_, i) => `{"n":${i},"name":"é-${'x'.repeat(i % 300)}-✓"}`);
    lines.push('y'.repeat(100_000), 'ü'.repeat(30_000), 'last');
    for (const line of lines) {
      const written = out.line(line);
      if (written) await written;
    }
    await out.end();
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) if (typeof c !== 'string') expect(c.length).toBeLessThanOrEqual(64 * 1024);
    // Written batches are not overwritten afterwards (the stream may not have sent them yet).
    const text = chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('');
    expect(text).toBe(`${lines.join('\n')}\n`);
  });

  it('writes nothing for no lines', async () => {
    const { io, chunks } = collecting();
    await lineSink(io).end();
    expect(chunks).toEqual([]);
  });

  it('falls back to stdout, one line at a time, without writeStdout', async () => {
    const got: string[] = [];
    const out = lineSink({ stdout: (t) => got.push(t), stderr: () => {}, env: {} });
    expect(out.line('a')).toBeUndefined();
    out.line('b');
    await out.end();
    expect(got).toEqual(['a\n', 'b\n']);
  });
});
