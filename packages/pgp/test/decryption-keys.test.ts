import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { loadDecryptionKeys } from '../src/index.ts';
import { keyFile, makeKey, rejection, tempDir } from './fixtures.ts';

describe('loading decryption keys', () => {
  it('loads every private key from files and folders, still locked, with the passphrase', async () => {
    const [a, b] = await Promise.all([makeKey({ passphrase: 'pw' }), makeKey({ passphrase: 'pw' })]);
    const dir = await tempDir();
    await writeFile(join(dir, 'b.asc'), b.privateKey.armor());
    const file = await keyFile(a.privateKey.armor());

    const keys = await loadDecryptionKeys([file, dir], { passphrase: 'pw' });

    expect(keys.map((k) => k.key.getFingerprint().toUpperCase())).toEqual([a.fingerprint, b.fingerprint]);
    expect(keys.map((k) => k.source)).toEqual([file, join(dir, 'b.asc')]);
    expect(keys.every((k) => k.passphrase === 'pw' && !k.key.isDecrypted())).toBe(true);
  });

  it('refuses a public key, saying how to export the private one', async () => {
    const { publicKey, fingerprint } = await makeKey();
    const path = await keyFile(publicKey.armor());

    const err = await rejection(loadDecryptionKeys([path]));

    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toBe(
      `key ${fingerprint} (Ops <ops@example.com>) in ${path} is a public key; ` +
        'decrypting needs the private key (gpg --armor --export-secret-keys)',
    );
  });

  it('refuses a file that is not a key, and a folder without keys', async () => {
    const garbage = await keyFile(
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n',
    );
    expect((await rejection(loadDecryptionKeys([garbage]))).message).toMatch(
      new RegExp(`^private key file ${garbage} is not a valid OpenPGP key`),
    );

    const empty = await tempDir();
    const err = await rejection(loadDecryptionKeys([empty]));
    expect((err as LifeboatError).code).toBe('config');
    expect(err.message).toBe(`no private key found in ${empty}`);
  });
});
