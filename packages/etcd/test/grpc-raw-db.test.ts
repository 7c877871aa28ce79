// The offline source: a raw member/snap/db read only with an explicit flag,
// streamed with a computed sha256 trailer like a snapshot from etcd.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { isLifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { openRawDb } from '../src/grpc/raw-db.ts';

/** Four 4 KiB pages whose first one carries bbolt's meta page header, magic and page size. */
function boltLike(pages = 4, pageSize = 4096): Buffer {
  const db = randomBytes(pages * pageSize);
  db.writeBigUInt64LE(0n, 0); // page id
  db.writeUInt16LE(0x04, 8); // meta page flag
  db.writeUInt32LE(0xed0cdaed, 16); // magic
  db.writeUInt32LE(2, 20); // version
  db.writeUInt32LE(pageSize, 24);
  return db;
}

async function file(content: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-rawdb-'));
  const path = join(dir, 'db');
  await writeFile(path, content);
  return path;
}

describe('openRawDb', () => {
  it('refuses without the explicit flag, saying why', async () => {
    const path = await file(boltLike());
    const err = await openRawDb(path).catch((e: unknown) => e);
    expect(isLifeboatError(err, 'usage')).toBe(true);
    expect((err as Error).message).toMatch(/only safe while etcd is stopped, so it needs an explicit flag/);
  });

  it('streams db + sha256 trailer with the flag', async () => {
    const db = boltLike();
    const source = await openRawDb(await file(db), { allowRaw: true });
    expect(source.dbSize).toBe(db.length);
    expect(source.totalSize).toBe(db.length + 32);
    const digest = createHash('sha256').update(db).digest();
    expect((await buffer(source)).equals(Buffer.concat([db, digest]))).toBe(true);
    expect(source.sha256).toBe(digest.toString('hex'));
  });

  it('refuses a file that is not a bbolt database', async () => {
    const path = await file(Buffer.from('hello world, this is not bbolt at all'.repeat(200)));
    await expect(openRawDb(path, { allowRaw: true })).rejects.toThrow(/is not a bbolt database/);
  });

  it('points out a snapshot file (db + 32 bytes) that needs no raw mode', async () => {
    const path = await file(Buffer.concat([boltLike(), randomBytes(32)]));
    await expect(openRawDb(path, { allowRaw: true })).rejects.toThrow(/looks like a snapshot file/);
  });

  it('names a missing file', async () => {
    const err = await openRawDb('/nonexistent/member/snap/db', { allowRaw: true }).catch((e: unknown) => e);
    expect(isLifeboatError(err, 'not-found')).toBe(true);
  });

  it('errors when the file grows while it is read (etcd still running)', async () => {
    const db = boltLike();
    const path = await file(db);
    const source = await openRawDb(path, { allowRaw: true });
    await writeFile(path, Buffer.concat([db, boltLike()]));
    await expect(text(source)).rejects.toThrow(/changed size while it was read: is etcd still running/);
  });
});
