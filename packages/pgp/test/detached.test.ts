import type { LifeboatError } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf, signDetached, verifyDetached } from '../src/index.ts';
import { dayMs, makeKey, rejection } from './fixtures.ts';

type Pair = Awaited<ReturnType<typeof makeKey>>;

let signer: Pair;
let other: Pair;
const metadata = Buffer.from(`${JSON.stringify({ formatVersion: 1, id: '20260102T030405Z' }, null, 2)}\n`);

beforeAll(async () => {
  [signer, other] = await Promise.all([makeKey(), makeKey()]);
});

describe('detached signatures', () => {
  it('signs as an armored binary-document signature that verifies', async () => {
    const armored = await signDetached(metadata, { key: signer.privateKey });

    expect(armored).toMatch(/^-----BEGIN PGP SIGNATURE-----\n[\s\S]+-----END PGP SIGNATURE-----\n?$/);
    const signature = await openpgp.readSignature({ armoredSignature: armored });
    expect(signature.packets[0]!.signatureType).toBe(openpgp.enums.signature.binary);
    await expect(verifyDetached(metadata, armored, [signer.publicKey])).resolves.toEqual({
      signer: signer.fingerprint,
    });
  });

  it('verifies with the public half of a signing key', async () => {
    const armored = await signDetached(metadata, { key: signer.privateKey });

    await expect(
      verifyDetached(metadata, armored, [other.publicKey, publicKeyOf({ key: signer.privateKey })]),
    ).resolves.toEqual({ signer: signer.fingerprint });
  });

  it('reports changed data as a bad signature', async () => {
    const armored = await signDetached(metadata, { key: signer.privateKey });
    const changed = Buffer.from(metadata);
    changed[5]! ^= 0x01;

    const err = await rejection(verifyDetached(changed, armored, [signer.publicKey], { name: 'x.json' }));

    expect((err as LifeboatError).code).toBe('integrity');
    expect(err.message).toBe(
      `x.json has a bad signature by ${signer.fingerprint}: it was modified after it was signed`,
    );
  });

  it('names the key that signed when it is not among the given keys', async () => {
    const armored = await signDetached(metadata, { key: signer.privateKey });

    const err = await rejection(verifyDetached(metadata, armored, [other.publicKey], { name: 'x.json' }));

    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toBe(
      `x.json is signed by key ID ${signer.privateKey.getKeyID().toHex().toUpperCase()}, ` +
        `not by any of the given public keys (${other.fingerprint})`,
    );
  });

  it('refuses text that is not a signature', async () => {
    const err = await rejection(verifyDetached(metadata, 'hello', [signer.publicKey], { name: 'x.json' }));

    expect((err as LifeboatError).code).toBe('integrity');
    expect(err.message).toMatch(/^the signature of x\.json is not an OpenPGP signature/);
  });

  it('accepts a signature made before the signer’s key expired', async () => {
    const old = await makeKey({ date: new Date(Date.now() - 10 * dayMs), keyExpirationTime: 86_400 });
    const armored = await openpgp.sign({
      message: await openpgp.createMessage({ binary: metadata }),
      signingKeys: old.privateKey,
      detached: true,
      date: new Date(Date.now() - 9.5 * dayMs),
    });

    await expect(verifyDetached(metadata, armored, [old.publicKey])).resolves.toEqual({
      signer: old.fingerprint,
    });
  });

  it('refuses to sign with a key that is still locked', async () => {
    const locked = await makeKey({ passphrase: 'pw' });

    const err = await rejection(signDetached(metadata, { key: locked.privateKey }));

    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toMatch(/^signing failed: /);
  });
});

describe('publicKeyOf', () => {
  it('gives the public half of a private key, a signing key, or a public key itself', () => {
    const fromPrivate = publicKeyOf(signer.privateKey);
    const fromSigningKey = publicKeyOf({ key: signer.privateKey });

    for (const key of [fromPrivate, fromSigningKey, publicKeyOf(signer.publicKey)]) {
      expect(key.isPrivate()).toBe(false);
      expect(key.getFingerprint().toUpperCase()).toBe(signer.fingerprint);
    }
    expect(publicKeyOf(signer.publicKey)).toBe(signer.publicKey);
  });
});
