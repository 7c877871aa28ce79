import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DecryptToFileOptions, decryptToFile } from '../src/index.ts';
import { makeKey, rejection, tempDir } from './fixtures.ts';
import { chunked, encrypted } from './streams.ts';

type Pair = Awaited<ReturnType<typeof makeKey>>;

let recipient: Pair;
let signer: Pair;
let stranger: Pair;
const data = randomBytes(700 * 1024);
let signed: Buffer;

beforeAll(async () => {
  [recipient, signer, stranger] = await Promise.all([makeKey(), makeKey(), makeKey()]);
  signed = await encrypted(data, [recipient.publicKey], signer.privateKey);
});

async function options(message: Uint8Array, more: Partial<DecryptToFileOptions> = {}) {
  const dir = await tempDir();
  return {
    dir,
    options: {
      input: chunked(message),
      privateKeys: [{ key: recipient.privateKey }],
      expectedSigner: signer.fingerprint,
      verificationKeys: [signer.publicKey],
      dest: join(dir, 'backup.tar.zst'),
      ...more,
    },
  };
}

/** Runs decryptToFile expecting it to fail; checks nothing is left in the folder. */
async function fails(message: Uint8Array, more: Partial<DecryptToFileOptions> = {}): Promise<LifeboatError> {
  const { dir, options: o } = await options(message, more);
  const err = await rejection(decryptToFile(o));
  expect(err).toBeInstanceOf(LifeboatError);
  expect(await readdir(dir)).toEqual([]);
  return err as LifeboatError;
}

describe('decryptToFile', () => {
  it('writes the verified plaintext to dest, readable only by its owner', async () => {
    const { dir, options: o } = await options(signed);

    const result = await decryptToFile(o);

    expect(result).toMatchObject({ bytes: data.length, signer: signer.fingerprint });
    expect((await readFile(o.dest)).equals(data)).toBe(true);
    expect((await stat(o.dest)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['backup.tar.zst']);
  });

  it('streams into dest.partial and renames only at the end', async () => {
    const { dir, options: o } = await options(signed);
    const seen: string[][] = [];
    let sent = 0;
    // Look at the folder while the last part of the message is still held back.
    const input = new Readable({
      async read() {
        if (sent >= signed.length) return void this.push(null);
        if (sent > signed.length / 2 && seen.length === 0) {
          await new Promise((r) => setTimeout(r, 100));
          seen.push(await readdir(dir));
        }
        const chunk = signed.subarray(sent, sent + 64 * 1024);
        sent += chunk.length;
        this.push(chunk);
      },
    });

    await decryptToFile({ ...o, input });

    expect(seen).toEqual([['backup.tar.zst.partial']]);
    expect(await readdir(dir)).toEqual(['backup.tar.zst']);
  });

  it('replaces an existing dest and a stale partial file', async () => {
    const { options: o } = await options(signed);
    await writeFile(o.dest, 'old');
    await writeFile(`${o.dest}.partial`, 'left by a crash', { mode: 0o644 });

    await decryptToFile(o);

    expect((await readFile(o.dest)).equals(data)).toBe(true);
  });

  it('leaves nothing behind when a byte was changed', async () => {
    const tampered = Buffer.from(signed);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x40;

    const err = await fails(tampered);

    expect(err.code).toBe('integrity');
    expect(err.message).toContain('was modified');
  });

  it('leaves nothing behind when the file is truncated', async () => {
    const err = await fails(signed.subarray(0, signed.length - 100));

    expect(err.code).toBe('integrity');
    expect(err.message).toContain('is truncated');
  });

  it('leaves nothing behind for a wrong key, and says so', async () => {
    const err = await fails(signed, { privateKeys: [{ key: stranger.privateKey }] });

    expect(err.code).toBe('crypto');
    expect(err.message).toContain('is encrypted to key ID');
  });

  it('leaves nothing behind when the signer is not the expected one', async () => {
    const err = await fails(signed, {
      expectedSigner: stranger.fingerprint,
      verificationKeys: [stranger.publicKey],
    });

    expect(err.message).toContain(`not by the expected signer ${stranger.fingerprint}`);
  });

  it('leaves nothing behind when the input fails midway', async () => {
    const boom = new LifeboatError('store', 'connection reset');
    const input = new Readable({ read() {} });
    input.push(signed.subarray(0, 300_000));
    setTimeout(() => input.destroy(boom), 50);

    expect(await fails(signed, { input })).toBe(boom);
  });

  it('leaves nothing behind when aborted', async () => {
    const input = new Readable({ read() {} });
    input.push(signed.subarray(0, 300_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const err = await fails(signed, { input, signal: controller.signal });

    expect(err.code).toBe('aborted');
  });

  it('says when the file cannot be renamed into place, and removes it', async () => {
    const { dir, options: o } = await options(signed);
    await mkdir(join(o.dest, 'occupied'), { recursive: true }); // a non-empty folder where dest goes

    const err = await rejection(decryptToFile(o));

    expect((err as LifeboatError).code).toBe('io');
    expect(err.message).toContain(`cannot rename into place ${o.dest}`);
    expect(await readdir(dir)).toEqual(['backup.tar.zst']);
  });

  it('says when dest cannot be created', async () => {
    const { dir, options: o } = await options(signed);
    const dest = join(dir, 'missing', 'backup.tar.zst');

    const err = await rejection(decryptToFile({ ...o, dest }));

    expect((err as LifeboatError).code).toBe('io');
    expect(err.message).toContain(`cannot create ${dest}.partial`);
    expect(o.input.destroyed).toBe(true);
  });
});
