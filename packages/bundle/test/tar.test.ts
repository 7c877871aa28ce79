import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTar, readTar, type TarHeader, TarWriter } from '../src/index.ts';
import { encodeHeader } from '../src/tar/encode-header.ts';
import { chunked, collect, flip, sha256 } from './helpers.ts';

interface Input {
  header: Partial<TarHeader> & Pick<TarHeader, 'path' | 'type'>;
  data?: Buffer;
}

function header(input: Input): TarHeader {
  return { mode: 0o644, uid: 0, gid: 0, size: input.data?.length ?? 0, mtimeNs: 0n, ...input.header };
}

async function tarOf(entries: Input[]): Promise<Buffer> {
  const { stream, done } = createTar(async (tar) => {
    for (const e of entries) await tar.add(header(e), e.data ? Readable.from([e.data]) : undefined);
  });
  const bytes = await collect(stream);
  await done;
  return bytes;
}

async function readAll(source: Readable): Promise<{ header: TarHeader; data: Buffer }[]> {
  const out: { header: TarHeader; data: Buffer }[] = [];
  for await (const entry of readTar(source))
    out.push({ header: entry.header, data: await collect(entry.body) });
  return out;
}

describe('tar writer and reader', () => {
  const entries: Input[] = [
    { header: { path: 'etcd/snapshot.db', type: 'file', mode: 0o600 }, data: randomBytes(100_000) },
    { header: { path: 'kubernetes', type: 'directory', mode: 0o755 } },
    { header: { path: 'kubernetes/empty', type: 'file', mode: 0o640 }, data: Buffer.alloc(0) },
    { header: { path: 'kubernetes/exact', type: 'file' }, data: randomBytes(1024) },
    // 150 bytes: fits ustar's prefix + name split.
    { header: { path: `kubernetes/${'a'.repeat(139)}`, type: 'file' }, data: Buffer.from('x') },
    // No "/" to split at within 100 bytes of the end: needs a pax path.
    { header: { path: `kubernetes/${'b'.repeat(250)}`, type: 'file' }, data: Buffer.from('y') },
    { header: { path: 'kubernetes/ünïcødé/名前.yaml', type: 'file' }, data: Buffer.from('z') },
    { header: { path: 'kubernetes/link', type: 'symlink', mode: 0o777, linkname: `pki/${'c'.repeat(200)}` } },
    {
      header: {
        path: 'kubernetes/owned',
        type: 'file',
        mode: 0o4755,
        uid: 3_000_000,
        gid: 70_000,
        uname: 'a-user-name-that-is-longer-than-32-bytes',
        gname: 'etcd',
        mtimeNs: 1_700_000_000_123_456_789n,
      },
      data: randomBytes(513),
    },
  ];

  it.each([1, 511, 512, 7777, 1 << 20])(
    'round-trips every kind of header, read in %i-byte chunks',
    async (size) => {
      const archive = await tarOf(entries);
      expect(archive.length % 512).toBe(0);
      expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
      const read = await readAll(chunked(archive, size));
      expect(read.map((r) => r.header)).toEqual(entries.map(header));
      // Compared as digests: deep equality over large Buffers is slow in vitest.
      expect(read.map((r) => sha256(r.data))).toEqual(entries.map((e) => sha256(e.data ?? Buffer.alloc(0))));
    },
  );

  it('skips bodies the consumer does not read', async () => {
    const archive = await tarOf(entries);
    const paths: string[] = [];
    for await (const entry of readTar(chunked(archive, 1000))) paths.push(entry.header.path);
    expect(paths).toEqual(entries.map((e) => e.header.path));
  });

  it('encodes sizes of 8 GiB and more in a pax record', async () => {
    const size = 9 * 1024 ** 3 + 5;
    const head = encodeHeader(header({ header: { path: 'etcd/snapshot.db', type: 'file', size } }));
    const entry = await readTar(Readable.from([head, Buffer.alloc(4096)])).next();
    expect(entry.value?.header.size).toBe(size);
    // The archive then ends long before 9 GiB: the body says so.
    await expect(collect(entry.value!.body)).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining('truncated'),
    });
  });

  it('hands its output over in whole chunks of chunkBytes, the last one short, bytes unchanged', async () => {
    const pushed: Buffer[] = [];
    const tar = new TarWriter(
      async (chunk) => {
        pushed.push(Buffer.from(chunk));
      },
      new AbortController().signal,
      4096,
    );
    for (const e of entries) {
      // Bodies in odd pieces, some larger than a chunk.
      const pieces = e.data ? [e.data.subarray(0, 7), e.data.subarray(7, 9000), e.data.subarray(9000)] : [];
      await tar.add(header(e), e.data ? Readable.from(pieces.filter((p) => p.length > 0)) : undefined);
    }
    await tar.end();
    expect(pushed.slice(0, -1).every((c) => c.length === 4096)).toBe(true);
    expect(pushed.at(-1)!.length).toBeGreaterThan(0);
    expect(pushed.at(-1)!.length).toBeLessThanOrEqual(4096);
    expect(Buffer.concat(pushed).equals(await tarOf(entries))).toBe(true);
    expect(tar.bytes).toBe(Buffer.concat(pushed).length);
  });

  it('fails an entry whose body delivers fewer bytes than declared, naming it', async () => {
    const { stream, done } = createTar(async (tar) => {
      await tar.add(
        header({ header: { path: 'short.bin', type: 'file', size: 100 } }),
        Readable.from([randomBytes(99)]),
      );
    });
    await expect(collect(stream)).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining('"short.bin"'),
    });
    await expect(done).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining('99 of the 100'),
    });
  });

  it('fails an entry whose body delivers more bytes than declared, naming it', async () => {
    const { stream, done } = createTar(async (tar) => {
      await tar.add(
        header({ header: { path: 'long.bin', type: 'file', size: 100 } }),
        Readable.from([randomBytes(60), randomBytes(60)]),
      );
    });
    await expect(collect(stream)).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining('"long.bin"'),
    });
    await expect(done).rejects.toMatchObject({ message: expect.stringContaining('past the 100 bytes') });
  });

  it('refuses headers it cannot write correctly', async () => {
    for (const bad of [
      { path: '', type: 'file' },
      { path: 'a\0b', type: 'file' },
      { path: 'dir/', type: 'directory' },
      { path: 'dev', type: 'character-device' },
      { path: 'link', type: 'symlink' },
      { path: 'dir', type: 'directory', size: 3 },
    ] as const) {
      expect(() => encodeHeader(header({ header: bad }))).toThrow(expect.objectContaining({ code: 'usage' }));
    }
  });
});

describe('tar reader on damaged archives', () => {
  const sample: Input[] = [
    { header: { path: 'a.txt', type: 'file' }, data: randomBytes(2000) },
    { header: { path: 'b.txt', type: 'file' }, data: randomBytes(3000) },
  ];

  it('detects a flipped byte in a header by its checksum, saying where', async () => {
    const archive = await tarOf(sample);
    const second = 512 + 2048; // header of b.txt
    flip(archive, second + 10);
    await expect(readAll(chunked(archive))).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining(`header at byte ${second} fails its checksum`),
    });
  });

  it.each([
    ['in a body', 512 + 1000, 'in the middle of the content of "a.txt"'],
    ['in a header', 512 + 2048 + 100, 'in the middle of a tar header'],
    ['at an entry boundary, without the end marker', 512 + 2048, 'without its end-of-archive marker'],
    ['in padding', 512 + 2010, 'in the middle of the padding after "a.txt"'],
  ])('reports truncation %s', async (_what, at, message) => {
    const archive = await tarOf(sample);
    await expect(readAll(chunked(archive.subarray(0, at), 333))).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringContaining(message),
    });
  });

  it('rejects bytes that are not a tar at all', async () => {
    await expect(readAll(Readable.from([randomBytes(4096)]))).rejects.toMatchObject({ code: 'integrity' });
  });

  it('reports an upstream failure as itself, not as a truncation', async () => {
    const archive = await tarOf(sample);
    const boom = new Error('decryption failed');
    async function* failing() {
      yield archive.subarray(0, 1500);
      throw boom;
    }
    await expect(readAll(Readable.from(failing()))).rejects.toBe(boom);
  });

  it('stops a stalled source when cancelled, and destroys it when the consumer breaks out', async () => {
    const archive = await tarOf(sample);
    const stalled = new Readable({ read() {} });
    stalled.push(archive.subarray(0, 700));
    const controller = new AbortController();
    const cancelled = (async () => {
      for await (const entry of readTar(stalled, { signal: controller.signal })) await collect(entry.body);
    })();
    setTimeout(() => controller.abort(), 20);
    await expect(cancelled).rejects.toMatchObject({ code: 'aborted' });
    expect(stalled.destroyed).toBe(true);

    const source = chunked(archive, 100);
    for await (const _entry of readTar(source)) break;
    expect(source.destroyed).toBe(true);
  });

  it('lets the consumer break out while a body read waits on a stalled source', async () => {
    const archive = await tarOf(sample);
    const stalled = new Readable({ read() {} });
    stalled.push(archive.subarray(0, 700));
    for await (const entry of readTar(stalled)) {
      entry.body.resume(); // 188 bytes arrive, then the next read waits forever
      await new Promise((resolve) => setTimeout(resolve, 20));
      break;
    }
    expect(stalled.destroyed).toBe(true);
  });
});
