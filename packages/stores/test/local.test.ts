import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LifeboatError, parseStoreUrl } from '@lifeboat/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsError } from '../src/fs-error.ts';
import { LocalStore, openStore } from '../src/index.ts';
import { describeStoreConformance, listAll, randomData, readAll, rejectionCode } from './conformance.ts';

// The root does not exist yet: the store must create it (0700) on first put.
describeStoreConformance('local folder', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-stores-'));
  return {
    store: new LocalStore(join(dir, 'store')),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalStore', () => {
  let dir: string;
  let root: string;
  let store: LocalStore;

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-local-'));
    root = join(dir, 'store');
    store = new LocalStore(root);
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  // Every name under root, dotfiles included.
  const everything = async () => (await fs.readdir(root, { recursive: true })).sort();
  const mode = async (path: string) => (await fs.stat(path)).mode & 0o777;

  it('describes itself as a file URL', () => {
    expect(store.location).toBe(`file://${root}`);
    expect(parseStoreUrl(store.location)).toEqual({ kind: 'file', path: root });
  });

  it('writes files 0600 in folders 0700, even over a 0644 file', async () => {
    await store.put('c/n/obj', Readable.from([randomBytes(100)]));
    expect(await mode(join(root, 'c/n/obj'))).toBe(0o600);
    for (const folder of [root, join(root, 'c'), join(root, 'c/n')]) expect(await mode(folder)).toBe(0o700);

    await fs.writeFile(join(root, 'c/n/open'), 'readable by all', { mode: 0o644 });
    expect(await mode(join(root, 'c/n/open'))).toBe(0o644);
    await store.put('c/n/open', Readable.from([randomBytes(100)]));
    expect(await mode(join(root, 'c/n/open'))).toBe(0o600);
  });

  it('keeps the upload in a hidden .partial file beside the destination, then removes it on abort', async () => {
    const controller = new AbortController();
    let stalled!: () => void;
    const reachedStall = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    async function* body() {
      yield randomBytes(1024 * 1024);
      stalled();
      await new Promise(() => {});
    }
    const put = store.put('c/n/obj', body(), { signal: controller.signal });
    await reachedStall;
    // Give the write of the first chunk time to land.
    for (let i = 0; i < 50 && (await fs.readdir(join(root, 'c/n'))).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const during = await fs.readdir(join(root, 'c/n'));
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.obj\.[0-9a-f]+\.partial$/);
    expect(await mode(join(root, 'c/n', during[0]!))).toBe(0o600);
    expect(await listAll(store)).toEqual([]);

    controller.abort();
    expect(await rejectionCode(put)).toBe('aborted');
    expect(await everything()).toEqual(['c', 'c/n']);
  });

  it('removes the temp file when the body fails', async () => {
    const boom = new Error('etcd went away');
    const { chunks } = randomData(2 * 1024 * 1024);
    async function* body() {
      yield* chunks;
      throw boom;
    }
    await store.put('c/n/keep', Readable.from([randomBytes(10)]));
    await expect(store.put('c/n/obj', body())).rejects.toBe(boom);
    expect(await everything()).toEqual(['c', 'c/n', 'c/n/keep']);
  });

  it('removes the temp file when the size is wrong', async () => {
    const code = await rejectionCode(store.put('obj', Readable.from([randomBytes(10)]), { size: 11 }));
    expect(code).toBe('integrity');
    expect(await everything()).toEqual([]);
  });

  it('does not list stray temp files, symlinks or other non-objects', async () => {
    await store.put('c/n/obj', Readable.from([randomBytes(10)]));
    await fs.writeFile(join(root, 'c/n/.obj.0123abcd.partial'), 'left by a crash');
    await fs.symlink(join(root, 'c/n/obj'), join(root, 'c/n/link'));
    await fs.mkdir(join(root, 'c/empty'));
    expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/obj']);
  });

  it('treats a folder as no object', async () => {
    await store.put('c/n/obj', Readable.from([randomBytes(10)]));
    await store.delete('c/n');
    expect((await listAll(store)).map((o) => o.key)).toEqual(['c/n/obj']);
  });

  it('reads an object written by other tools', async () => {
    const data = randomBytes(70_000);
    await fs.mkdir(join(root, 'x'), { recursive: true });
    await fs.writeFile(join(root, 'x/y'), data);
    expect((await readAll(await store.get('x/y'))).equals(data)).toBe(true);
    expect(await listAll(store, 'x/')).toEqual([
      { key: 'x/y', size: data.length, modified: expect.any(Date) },
    ]);
  });

  it('reports a write failure as an io error naming the path', async () => {
    await fs.mkdir(join(root, 'c'), { recursive: true, mode: 0o500 });
    // root ignores permissions; only check when they apply.
    if (process.getuid?.() !== 0) {
      const err = await store.put('c/obj', Readable.from([randomBytes(10)])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LifeboatError);
      expect((err as LifeboatError).code).toBe('io');
      expect((err as LifeboatError).message).toContain(join(root, 'c'));
    }
    // A file where a folder should be fails the same way.
    await fs.writeFile(join(root, 'file'), 'x');
    const err = await store.put('file/obj', Readable.from([randomBytes(10)])).catch((e: unknown) => e);
    expect((err as LifeboatError).code).toBe('io');
    expect((err as LifeboatError).message).toContain(join(root, 'file'));
  });
});

describe('fsError', () => {
  it('says "no space left on device" for ENOSPC, keeping the cause', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const err = fsError(cause, 'writing', '/backups/c/n/x.tar.zst.pgp');
    expect(err.code).toBe('io');
    expect(err.message).toBe('no space left on device writing /backups/c/n/x.tar.zst.pgp');
    expect(err.cause).toBe(cause);
  });

  it('keeps the message of unknown errors and passes LifeboatErrors through', () => {
    const cause = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    expect(fsError(cause, 'reading', '/x').message).toBe('reading /x failed: EIO: i/o error');
    const mine = new LifeboatError('integrity', 'short');
    expect(fsError(mine, 'reading', '/x')).toBe(mine);
  });
});

describe('openStore', () => {
  it('opens file URLs as a local store', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lifeboat-open-'));
    try {
      const store = openStore(parseStoreUrl(`file://${dir}`));
      expect(store).toBeInstanceOf(LocalStore);
      expect(store.location).toBe(`file://${dir}`);
      const data = randomBytes(1000);
      await store.put('k', Readable.from([data]));
      expect(await fs.readFile(join(dir, 'k'))).toEqual(data);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
