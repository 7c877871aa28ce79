import { appendFile, mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTreeFile, type SkippedEntry, type TreeEntry, walkTree } from '../src/index.ts';
import { collect, execFileAsync, tempDir } from './helpers.ts';

let work: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  work = await tempDir();
});
afterEach(() => work.remove());

async function walk(root: string, skipped: SkippedEntry[] = []): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for await (const entry of walkTree(root, { onSkip: (s) => skipped.push(s) })) out.push(entry);
  return out;
}

describe('walkTree', () => {
  it('yields the root, then every entry depth first in byte order, not following symlinks', async () => {
    const root = join(work.path, 'k');
    await mkdir(join(root, 'pki/etcd'), { recursive: true });
    await mkdir(join(root, 'B'));
    for (const f of ['pki/ca.crt', 'pki/etcd/ca.key', 'a.conf', 'B/x', 'pki-z', '_u'])
      await writeFile(join(root, f), f);
    await symlink('/etc', join(root, 'etc-link'));
    await symlink('pki', join(root, 'pki-link'));
    const entries = await walk(root);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['', 'directory'],
      ['B', 'directory'],
      ['B/x', 'file'],
      ['_u', 'file'],
      ['a.conf', 'file'],
      ['etc-link', 'symlink'],
      ['pki', 'directory'],
      ['pki/ca.crt', 'file'],
      ['pki/etcd', 'directory'],
      ['pki/etcd/ca.key', 'file'],
      ['pki-link', 'symlink'],
      ['pki-z', 'file'],
    ]);
    expect(entries.find((e) => e.path === 'etc-link')?.target).toBe('/etc');
    expect(entries.find((e) => e.path === 'pki/ca.crt')?.stats.size).toBe(10n);
  });

  it('skips FIFOs and sockets with a note', async () => {
    const root = join(work.path, 'k');
    await mkdir(root);
    await writeFile(join(root, 'kept'), 'x');
    await execFileAsync('mkfifo', [join(root, 'fifo')]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(root, 'socket'), resolve));
    try {
      const skipped: SkippedEntry[] = [];
      const entries = await walk(root, skipped);
      expect(entries.map((e) => e.path)).toEqual(['', 'kept']);
      expect(skipped).toEqual([
        { path: 'fifo', reason: expect.stringContaining('FIFO skipped') },
        { path: 'socket', reason: expect.stringContaining('socket skipped') },
      ]);
    } finally {
      server.close();
    }
  });

  it('follows a root that is itself a symlink', async () => {
    await mkdir(join(work.path, 'real'));
    await writeFile(join(work.path, 'real/f'), 'x');
    await symlink('real', join(work.path, 'link'));
    expect((await walk(join(work.path, 'link'))).map((e) => e.path)).toEqual(['', 'f']);
  });

  it('says what is wrong with the root', async () => {
    await expect(walk(join(work.path, 'missing'))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringContaining('does not exist'),
    });
    await writeFile(join(work.path, 'file'), 'x');
    await expect(walk(join(work.path, 'file'))).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('not a directory'),
    });
  });
});

describe('readTreeFile', () => {
  async function entryOf(content: string): Promise<TreeEntry> {
    const root = join(work.path, 'k');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'admin.conf'), content);
    const entries = await walk(root);
    return entries.find((e) => e.path === 'admin.conf')!;
  }

  it('reads a file that did not change', async () => {
    const entry = await entryOf('apiVersion: v1\n');
    expect((await collect(readTreeFile(entry))).toString()).toBe('apiVersion: v1\n');
  });

  it('fails, naming the file, when it grew after it was walked', async () => {
    const entry = await entryOf('apiVersion: v1\n');
    await appendFile(entry.absolute, 'kind: Config\n');
    await expect(collect(readTreeFile(entry))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/admin\.conf grew past its 15 bytes while it was being backed up/),
    });
  });

  it('fails, naming the file, when it shrank after it was walked', async () => {
    const entry = await entryOf('apiVersion: v1\n');
    await truncate(entry.absolute, 3);
    await expect(collect(readTreeFile(entry))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/admin\.conf shrank from 15 to 3 bytes/),
    });
  });

  it('does not follow a symlink swapped in after the walk', async () => {
    const entry = await entryOf('x');
    await writeFile(join(work.path, 'secret'), 'y');
    await execFileAsync('ln', ['-sf', join(work.path, 'secret'), entry.absolute]);
    await expect(collect(readTreeFile(entry))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringContaining('replaced by a symlink'),
    });
  });
});
