// Interoperability with GNU tar and bsdtar (libarchive), both ways: the
// auditor opens bundles with `tar`, and fetch must read archives other tools
// wrote. bsdtar comes from Debian's libarchive-tools; without it those tests
// are skipped (GNU tar is always there).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '@lifeboat/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressor, createTar, pack, parseManifest, readTar, type TarHeader } from '../src/index.ts';
import { encodeHeader } from '../src/tar/encode-header.ts';
import {
  collect,
  type Described,
  describeTree,
  execFileAsync,
  kubeadmTree,
  longName,
  sha256,
  snapshotStream,
  tempDir,
} from './helpers.ts';

let work: { path: string; remove: () => Promise<void> };
let source: string;
let snapshot: Buffer;

beforeAll(async () => {
  work = await tempDir();
  source = join(work.path, 'etc-kubernetes');
  await mkdir(source);
  await kubeadmTree(source);
  snapshot = snapshotStream(3 * 1024 * 1024 + 123).data;
});
afterAll(() => work.remove());

/** Packs the fixture tree with `kind` compression into a file; returns its path. */
async function bundleFile(kind: Compression): Promise<string> {
  const file = join(
    work.path,
    `bundle-${kind}.tar${kind === 'zstd' ? '.zst' : kind === 'gzip' ? '.gz' : ''}`,
  );
  const packed = pack({
    snapshot: { stream: Readable.from([snapshot]), size: snapshot.length },
    kubernetesDir: source,
  });
  await pipeline(packed.stream, compressor(kind), createWriteStream(file));
  await packed.result;
  return file;
}

describe('GNU tar reads what we write', () => {
  it('lists every entry with its mode, size, owner and link target (tar -tvf)', async () => {
    const { stdout } = await execFileAsync('tar', ['--numeric-owner', '-tvf', await bundleFile('none')]);
    const lines = stdout.trim().split('\n');
    const line = (path: string) => lines.find((l) => l.endsWith(` ${path}`) || l.includes(` ${path} -> `));
    expect(lines[0]).toMatch(new RegExp(`^-rw------- \\d+/\\d+ +${snapshot.length} .* etcd/snapshot.db$`));
    expect(lines.at(-1)).toMatch(/^-rw-r--r-- .* lifeboat\/manifest.json$/);
    expect(line('kubernetes/')).toMatch(/^drwx/);
    expect(line('kubernetes/pki/ca.key')).toMatch(/^-rw------- /);
    expect(line('kubernetes/pki/ca.crt')).toMatch(/^-rw-r--r-- /);
    expect(line('kubernetes/tmp/')).toMatch(/^drwxr-x--- /);
    expect(line('kubernetes/tmp/empty')).toMatch(/^-rw-r----- \d+\/\d+ +0 /);
    expect(line('kubernetes/ca-link.crt')).toMatch(/^lrwxrwxrwx .* kubernetes\/ca-link.crt -> pki\/ca.crt$/);
    expect(line(`kubernetes/manifests/${longName}`)).toBeDefined();
    // Nothing else: no stray pax header files, no duplicates.
    expect(lines).toHaveLength(Object.keys(describeTree(source)).length + 3);
  });

  it.each([
    ['none', ['-xpf']],
    ['zstd', ['--zstd', '-xpf']],
    ['gzip', ['-xzpf']],
  ] as const)('extracts %s bundles byte-identical with modes identical (tar %s)', async (kind, flags) => {
    const out = join(work.path, `gnu-extract-${kind}`);
    await mkdir(out);
    await execFileAsync('tar', [...flags, await bundleFile(kind), '-C', out]);
    expect(describeTree(join(out, 'kubernetes'))).toEqual(describeTree(source));
    expect((await lstat(join(out, 'kubernetes'))).mode & 0o7777).toBe((await lstat(source)).mode & 0o7777);
    const db = await readFile(join(out, 'etcd/snapshot.db'));
    expect(sha256(db)).toBe(sha256(snapshot));
    expect((await lstat(join(out, 'etcd/snapshot.db'))).mode & 0o777).toBe(0o600);
    // The manifest the auditor reads agrees with what tar extracted.
    const manifest = parseManifest(await readFile(join(out, 'lifeboat/manifest.json')), 'manifest');
    for (const entry of manifest.entries) {
      if (entry.type !== 'file') continue;
      expect(sha256(await readFile(join(out, entry.path))), entry.path).toBe(entry.sha256);
    }
  });

  it('reads pax records: large ids, sub-second mtimes, sizes over 8 GiB', async () => {
    const base: TarHeader = { path: 'f', type: 'file', mode: 0o640, uid: 0, gid: 0, size: 3, mtimeNs: 0n };
    const { stream } = createTar(async (tar) => {
      await tar.add(
        { ...base, path: 'ids', uid: 3_000_000, gid: 70_000, mtimeNs: 1_700_000_000_123_456_789n },
        Readable.from([Buffer.from('abc')]),
      );
    });
    const small = join(work.path, 'pax.tar');
    await writeFile(small, await collect(stream));
    const listed = await execFileAsync('tar', ['--numeric-owner', '--full-time', '--utc', '-tvf', small]);
    expect(listed.stdout).toMatch(/^-rw-r----- 3000000\/70000 +3 2023-11-14 22:13:20\.123456789 ids$/m);

    // Only the header of a 9 GiB entry: tar lists it, then reports the missing data.
    const big = join(work.path, 'big-header.tar');
    await writeFile(big, encodeHeader({ ...base, path: 'etcd/snapshot.db', size: 9 * 1024 ** 3 }));
    const result = await execFileAsync('tar', ['-tvf', big]).catch((err: { stdout: string }) => err);
    expect(result.stdout).toMatch(/ 9663676416 .* etcd\/snapshot.db$/m);
  });
});

/** What our reader sees in an archive, in describeTree's terms. */
async function readDescribed(
  stream: Readable,
): Promise<{ tree: Record<string, Described>; headers: TarHeader[] }> {
  const tree: Record<string, Described> = {};
  const headers: TarHeader[] = [];
  for await (const { header, body } of readTar(stream)) {
    headers.push(header);
    const path = header.path.replace(/^\.\//, '').replace(/^kubernetes\/?/, '');
    if (path === '') continue;
    if (header.type === 'file') {
      const data = await collect(body);
      expect(data.length).toBe(header.size);
      tree[path] = { type: 'file', mode: header.mode, size: header.size, sha256: sha256(data) };
    } else if (header.type === 'directory') tree[path] = { type: 'directory', mode: header.mode };
    else if (header.type === 'symlink')
      tree[path] = { type: 'symlink', mode: header.mode, target: header.linkname! };
    else throw new Error(`unexpected ${header.type} ${header.path}`);
  }
  return { tree, headers };
}

function tarOutput(
  args: string[],
  cwd: string,
  stderr: 'inherit' | 'ignore' = 'inherit',
  program: 'tar' | 'bsdtar' = 'tar',
): Readable {
  const child = spawn(program, args, { cwd, stdio: ['ignore', 'pipe', stderr] });
  child.on('error', () => {});
  return child.stdout;
}

describe('our reader reads what GNU tar writes', () => {
  it.each(['pax', 'gnu', 'ustar', 'oldgnu'])('tar --format=%s', async (format) => {
    const parent = join(work.path, `from-gnu-${format}`);
    const tree = join(parent, 'kubernetes');
    await mkdir(parent);
    await execFileAsync('cp', ['-a', source, tree]);
    if (format === 'ustar') {
      // ustar holds a name of at most 100 bytes after the last "/": this one needs pax or GNU.
      await rm(join(tree, 'manifests', longName));
      // A long path of short names: exercises the prefix field.
      await mkdir(join(tree, 'deep', 'x'.repeat(70), 'y'.repeat(70)), { recursive: true });
      await writeFile(join(tree, 'deep', 'x'.repeat(70), 'y'.repeat(70), 'z.yaml'), 'z');
    } else {
      // A path beyond ustar's 255 bytes.
      await mkdir(join(tree, 'deep', 'x'.repeat(120), 'y'.repeat(120)), { recursive: true });
    }
    const read = await readDescribed(tarOutput([`--format=${format}`, '-cf', '-', 'kubernetes'], parent));
    expect(read.tree).toEqual(describeTree(tree));
    const stats = await lstat(join(tree, 'pki/ca.key'), { bigint: true });
    const header = read.headers.find((h) => h.path === 'kubernetes/pki/ca.key')!;
    // pax keeps nanoseconds; the other formats whole seconds.
    const expected = format === 'pax' ? stats.mtimeNs : (stats.mtimeNs / 1_000_000_000n) * 1_000_000_000n;
    expect(header.mtimeNs).toBe(expected);
    expect(header.uid).toBe(Number(stats.uid));
  });

  it.each(['pax', 'gnu'])(
    'reads a size over 8 GiB from tar --format=%s (pax record / base-256)',
    async (format) => {
      const dir = join(work.path, `big-${format}`);
      await mkdir(dir);
      await writeFile(join(dir, 'snapshot.db'), '');
      await truncate(join(dir, 'snapshot.db'), 9 * 1024 ** 3); // sparse: no disk used
      // tar is cut off after the header: its complaint about the closed pipe is expected.
      const stream = tarOutput([`--format=${format}`, '-cf', '-', 'snapshot.db'], dir, 'ignore');
      const first = await readTar(stream).next();
      expect(first.value?.header).toMatchObject({ path: 'snapshot.db', type: 'file', size: 9 * 1024 ** 3 });
      first.value?.body.destroy();
      stream.destroy();
    },
  );
});

const hasBsdtar = spawnSync('bsdtar', ['--version']).status === 0;

describe.skipIf(!hasBsdtar)('bsdtar (libarchive) and our bundles', () => {
  it.each(['none', 'zstd', 'gzip'] as const)(
    'bsdtar extracts %s bundles byte-identical with modes identical',
    async (kind) => {
      const out = join(work.path, `bsd-extract-${kind}`);
      await mkdir(out);
      // bsdtar detects the compression itself.
      await execFileAsync('bsdtar', ['-xpf', await bundleFile(kind), '-C', out]);
      expect(describeTree(join(out, 'kubernetes'))).toEqual(describeTree(source));
      expect(sha256(await readFile(join(out, 'etcd/snapshot.db')))).toBe(sha256(snapshot));
      const { stdout } = await execFileAsync('bsdtar', ['-tf', await bundleFile(kind)]);
      expect(stdout).toContain(`kubernetes/manifests/${longName}\n`);
      expect(stdout).not.toContain('PaxHeaders');
    },
  );

  it.each(['pax', 'ustar', 'gnutar'])('our reader reads bsdtar --format=%s', async (format) => {
    const parent = join(work.path, `from-bsd-${format}`);
    const tree = join(parent, 'kubernetes');
    await mkdir(parent);
    await execFileAsync('cp', ['-a', source, tree]);
    // bsdtar's ustar also cannot hold a 150-byte name.
    if (format === 'ustar') await rm(join(tree, 'manifests', longName));
    const read = await readDescribed(
      tarOutput([`--format=${format}`, '-cf', '-', 'kubernetes'], parent, 'inherit', 'bsdtar'),
    );
    expect(read.tree).toEqual(describeTree(tree));
  });
});
