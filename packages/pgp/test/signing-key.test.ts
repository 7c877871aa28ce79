import { LifeboatError } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { loadSigningKey, type SigningKey } from '../src/index.ts';
import {
  armorTogether,
  day,
  dayMs,
  expiryOf,
  keyFile,
  makeKey,
  rejection,
  user,
  withoutSigning,
} from './fixtures.ts';

const uid = `${user.name} <${user.email}>`;

/** Proves the loaded key is decrypted and its public half verifies what it signed. */
async function signsFor(loaded: SigningKey, publicKey: openpgp.PublicKey): Promise<void> {
  const message = await openpgp.createMessage({ text: 'backup metadata' });
  const signature = await openpgp.sign({ message, signingKeys: loaded.key, detached: true });
  const { signatures } = await openpgp.verify({
    message,
    signature: await openpgp.readSignature({ armoredSignature: signature }),
    verificationKeys: publicKey,
  });
  await expect(signatures[0]?.verified).resolves.toBe(true);
}

async function refusal(
  path: string,
  options: { passphrase?: string; now?: Date } = {},
): Promise<LifeboatError> {
  const err = await rejection(loadSigningKey(path, options));
  expect(err).toBeInstanceOf(LifeboatError);
  expect((err as LifeboatError).code).toBe('crypto');
  return err as LifeboatError;
}

describe('loading the signing key', () => {
  it('loads an unprotected private key', async () => {
    const { privateKey, publicKey, fingerprint } = await makeKey();

    const loaded = await loadSigningKey(await keyFile(privateKey.armor()));

    expect(loaded.fingerprint).toBe(fingerprint);
    expect(loaded.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(loaded.userId).toBe(uid);
    expect(loaded.key.isDecrypted()).toBe(true);
    await signsFor(loaded, publicKey);
  });

  it('decrypts a protected key with the right passphrase', async () => {
    const { privateKey, publicKey, fingerprint } = await makeKey({ passphrase: 'correct horse' });
    expect(privateKey.isDecrypted()).toBe(false);

    const loaded = await loadSigningKey(await keyFile(privateKey.armor()), { passphrase: 'correct horse' });

    expect(loaded.fingerprint).toBe(fingerprint);
    expect(loaded.key.isDecrypted()).toBe(true);
    await signsFor(loaded, publicKey);
  });

  it('says the passphrase is wrong', async () => {
    const { privateKey, fingerprint } = await makeKey({ passphrase: 'correct horse' });
    const path = await keyFile(privateKey.armor());

    const err = await refusal(path, { passphrase: 'battery staple' });

    expect(err.message).toBe(`wrong passphrase for signing key ${fingerprint} (${uid}) in ${path}`);
  });

  it.each([undefined, ''])('says a passphrase is needed when it is %j', async (passphrase) => {
    const { privateKey, fingerprint } = await makeKey({ passphrase: 'correct horse' });
    const path = await keyFile(privateKey.armor());

    const err = await refusal(path, passphrase === undefined ? {} : { passphrase });

    expect(err.message).toBe(
      `signing key ${fingerprint} (${uid}) in ${path} is protected by a passphrase, but none was given`,
    );
  });

  it('refuses a public key', async () => {
    const { publicKey, fingerprint } = await makeKey();
    const path = await keyFile(publicKey.armor());

    const err = await refusal(path);

    expect(err.message).toBe(
      `signing key ${fingerprint} (${uid}) in ${path} is a public key; signing needs the private key`,
    );
  });

  it('refuses a file that is not a key, or holds more than one', async () => {
    const garbage = await keyFile(
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n',
    );
    expect((await refusal(garbage)).message).toMatch(/^signing key file .* is not a valid OpenPGP key/);

    const [a, b] = await Promise.all([makeKey(), makeKey()]);
    const two = await keyFile(`${a.privateKey.armor()}\n${b.privateKey.armor()}`);
    expect((await refusal(two)).message).toBe(
      `signing key file ${two} holds 2 keys; it must hold exactly one private key`,
    );
    const together = await keyFile(armorTogether([a.publicKey, b.publicKey]));
    expect((await refusal(together)).message).toContain('holds 2 keys');
  });

  it('refuses a revoked key, even before asking for its passphrase', async () => {
    const { privateKey, fingerprint } = await makeKey();
    const revoked = await openpgp.revokeKey({ key: privateKey, format: 'object' });
    const protectedKey = await openpgp.encryptKey({ privateKey: revoked.privateKey, passphrase: 'pw' });
    const path = await keyFile(protectedKey.armor());

    const err = await refusal(path);

    expect(err.message).toContain(`signing key ${fingerprint} (${uid}) in ${path} has been revoked`);
  });

  it('refuses a key that has expired at the given time', async () => {
    const seconds = 86_400;
    const { privateKey, fingerprint } = await makeKey({ keyExpirationTime: seconds });
    const path = await keyFile(privateKey.armor());
    await expect(loadSigningKey(path)).resolves.toMatchObject({ fingerprint });

    const err = await refusal(path, { now: new Date(Date.now() + 2 * dayMs) });

    expect(err.message).toContain(
      `${fingerprint} (${uid}) in ${path} has expired on ${day(expiryOf(privateKey, seconds))}`,
    );
  });

  it('refuses a key that may certify but not sign', async () => {
    const { privateKey, fingerprint } = await makeKey({ subkeys: [] });
    const path = await keyFile((await withoutSigning(privateKey)).armor());

    const err = await refusal(path);

    expect(err.message).toContain(`signing key ${fingerprint} (${uid}) in ${path} has no signing key`);
  });

  it('refuses an Ed25519 key (RFC 9580 algorithm), whose signatures GnuPG 2.2 cannot check', async () => {
    const { privateKey, fingerprint } = await makeKey({ type: 'curve25519' });
    const path = await keyFile(privateKey.armor());

    const err = await refusal(path);

    expect(err.message).toBe(
      `signing key ${fingerprint} (${uid}) in ${path} is an Ed25519 (RFC 9580 algorithm 27) key, ` +
        'which GnuPG 2.2 cannot use; use an RSA key or a GnuPG-compatible curve 25519 key ' +
        '(gpg --quick-gen-key NAME future-default makes one)',
    );
  });

  it('refuses a key that would sign with an Ed25519 subkey', async () => {
    // The newest signing subkey is the one openpgp.js signs with.
    const { privateKey, fingerprint } = await makeKey({
      subkeys: [{}, { type: 'curve25519', sign: true } as object],
    });
    const path = await keyFile(privateKey.armor());

    const err = await refusal(path);

    expect(err.message).toContain(
      `${fingerprint} (${uid}) in ${path} has an Ed25519 (RFC 9580 algorithm 27) signing subkey, ` +
        'which GnuPG 2.2 cannot use',
    );
  });

  it('says when the file does not exist', async () => {
    const err = await rejection(loadSigningKey('/nonexistent/lifeboat/signing.asc'));

    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe('not-found');
    expect(err.message).toContain('/nonexistent/lifeboat/signing.asc');
  });
});
