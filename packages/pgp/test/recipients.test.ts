import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LifeboatError } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { loadRecipients } from '../src/index.ts';
import {
  armorTogether,
  day,
  dayMs,
  expiryOf,
  keyFile,
  makeKey,
  rejection,
  tempDir,
  user,
} from './fixtures.ts';

const uid = `${user.name} <${user.email}>`;

describe('loading recipients', () => {
  it('reads a public key from a file', async () => {
    const { publicKey, fingerprint } = await makeKey();
    const path = await keyFile(publicKey.armor());

    const { recipients, warnings } = await loadRecipients([path]);

    expect(warnings).toEqual([]);
    expect(recipients).toHaveLength(1);
    const [r] = recipients;
    expect(r?.fingerprint).toBe(fingerprint);
    expect(r?.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(r?.userId).toBe(uid);
    expect(r?.expires).toBeUndefined();
    expect(r?.source).toBe(path);
    expect(r?.key.isPrivate()).toBe(false);
    expect(r?.key.getFingerprint()).toBe(publicKey.getFingerprint());
  });

  it('reads an RSA 2048 key and reports when it expires', async () => {
    const seconds = 365 * 86_400;
    const { publicKey, fingerprint } = await makeKey({
      type: 'rsa',
      rsaBits: 2048,
      keyExpirationTime: seconds,
    });

    const { recipients, warnings } = await loadRecipients([await keyFile(publicKey.armor())]);

    expect(warnings).toEqual([]);
    expect(recipients.map((r) => r.fingerprint)).toEqual([fingerprint]);
    expect(recipients[0]?.key.getAlgorithmInfo()).toMatchObject({ algorithm: 'rsaEncryptSign', bits: 2048 });
    expect(recipients[0]?.expires).toEqual(expiryOf(publicKey, seconds));
  });

  it('reads several keys from one file, in one armored block or in several', async () => {
    const keys = await Promise.all([makeKey(), makeKey(), makeKey(), makeKey()]);
    const [a, b, c, d] = keys.map((k) => k.publicKey);
    const text = `${armorTogether([a!, b!])}\n${c!.armor()}\nsome comment between blocks\n${d!.armor()}`;

    const { recipients } = await loadRecipients([await keyFile(text)]);

    expect(recipients.map((r) => r.fingerprint).sort()).toEqual(keys.map((k) => k.fingerprint).sort());
  });

  it('reads every key file of a directory mounted from a Kubernetes Secret', async () => {
    const [a, b] = await Promise.all([makeKey(), makeKey()]);
    const dir = await tempDir();
    // What the kubelet writes: the files in a hidden timestamped folder, `..data`
    // pointing at it, and one symlink per key through `..data`.
    const data = join(dir, '..2026_11_21_14_30_05.123456789');
    await mkdir(data);
    await writeFile(join(data, 'alice.asc'), a.publicKey.armor());
    await writeFile(join(data, 'bob.asc'), b.publicKey.armor());
    await symlink('..2026_11_21_14_30_05.123456789', join(dir, '..data'));
    await symlink('..data/alice.asc', join(dir, 'alice.asc'));
    await symlink('..data/bob.asc', join(dir, 'bob.asc'));
    await writeFile(join(dir, '.notes'), 'not a key at all');

    const { recipients } = await loadRecipients([dir]);

    expect(recipients.map((r) => [r.fingerprint, r.source])).toEqual([
      [a.fingerprint, join(dir, 'alice.asc')],
      [b.fingerprint, join(dir, 'bob.asc')],
    ]);
  });

  it('takes files and directories together', async () => {
    const [a, b] = await Promise.all([makeKey(), makeKey()]);
    const dir = await tempDir();
    await writeFile(join(dir, 'b.asc'), b.publicKey.armor());

    const { recipients } = await loadRecipients([await keyFile(a.publicKey.armor()), dir]);

    expect(recipients.map((r) => r.fingerprint)).toEqual([a.fingerprint, b.fingerprint]);
  });

  it('merges the same key found in two files into one recipient', async () => {
    const { publicKey, fingerprint } = await makeKey();
    const dir = await tempDir();
    await writeFile(join(dir, 'a.asc'), publicKey.armor());
    await writeFile(join(dir, 'b.asc'), publicKey.armor());

    const { recipients } = await loadRecipients([dir]);

    expect(recipients.map((r) => [r.fingerprint, r.source])).toEqual([[fingerprint, join(dir, 'a.asc')]]);
  });

  it('honours a revocation found in any copy of a duplicated key', async () => {
    const { privateKey, publicKey, fingerprint } = await makeKey();
    const revoked = await openpgp.revokeKey({ key: privateKey, format: 'object' });
    const dir = await tempDir();
    await writeFile(join(dir, 'a.asc'), publicKey.armor());
    await writeFile(join(dir, 'b.asc'), revoked.publicKey.armor());

    const err = await rejection(loadRecipients([dir]));

    expect(err.message).toContain(fingerprint);
    expect(err.message).toContain('has been revoked');
  });
});

describe('refusing recipients', () => {
  async function refusal(paths: string[], now?: Date): Promise<LifeboatError> {
    const err = await rejection(loadRecipients(paths, now ? { now } : {}));
    expect(err).toBeInstanceOf(LifeboatError);
    return err as LifeboatError;
  }

  it('refuses a key that expired in the past', async () => {
    const seconds = 10 * 86_400;
    const { publicKey, fingerprint } = await makeKey({
      date: new Date(Date.now() - 100 * dayMs),
      keyExpirationTime: seconds,
    });
    const path = await keyFile(publicKey.armor(), 'ops.asc');

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toBe(
      `recipient key ${fingerprint} (${uid}) in ${path} has expired on ${day(expiryOf(publicKey, seconds))}; ` +
        'ask its owner for a renewed key',
    );
  });

  it('refuses a key checked at a time after it expires', async () => {
    const seconds = 30 * 86_400;
    const { publicKey, fingerprint } = await makeKey({ keyExpirationTime: seconds });
    const path = await keyFile(publicKey.armor());

    await expect(loadRecipients([path])).resolves.toBeDefined();
    const err = await refusal([path], new Date(Date.now() + 60 * dayMs));

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(
      `${fingerprint} (${uid}) in ${path} has expired on ${day(expiryOf(publicKey, seconds))}`,
    );
  });

  it('refuses a key whose encryption subkey expired while the primary key did not', async () => {
    const seconds = 86_400;
    const { publicKey, fingerprint } = await makeKey({ subkeys: [{ keyExpirationTime: seconds }] });
    const path = await keyFile(publicKey.armor());
    const subkeyExpiry = expiryOf(publicKey.subkeys[0]!, seconds);

    const now = await loadRecipients([path]);
    expect(now.recipients[0]?.expires).toEqual(subkeyExpiry);
    const err = await refusal([path], new Date(Date.now() + 2 * dayMs));

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(`${fingerprint} (${uid}) in ${path} has its encryption subkey expired on`);
    expect(err.message).toContain(day(subkeyExpiry));
  });

  it('refuses a revoked key', async () => {
    const { privateKey, fingerprint } = await makeKey();
    const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'object' });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toBe(
      `recipient key ${fingerprint} (${uid}) in ${path} has been revoked; remove it from the recipients`,
    );
  });

  it('refuses a key whose only encryption subkey is revoked', async () => {
    const { privateKey, fingerprint } = await makeKey();
    const primary = privateKey.keyPacket as openpgp.SecretKeyPacket;
    privateKey.subkeys[0] = await privateKey.subkeys[0]!.revoke(primary);
    const path = await keyFile(privateKey.toPublic().armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toBe(
      `recipient key ${fingerprint} (${uid}) in ${path} has its encryption subkey revoked; ` +
        'ask its owner for a new encryption subkey',
    );
  });

  it('refuses a key with no subkey, which can only sign', async () => {
    const { publicKey, fingerprint } = await makeKey({ subkeys: [] });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toBe(
      `recipient key ${fingerprint} (${uid}) in ${path} has no encryption key (it can only sign); ` +
        'ask its owner for a key with an encryption subkey',
    );
  });

  it('refuses a key whose only subkey is for signing', async () => {
    const { publicKey, fingerprint } = await makeKey({ subkeys: [{ sign: true }] });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(
      `${fingerprint} (${uid}) in ${path} has no encryption key (it can only sign)`,
    );
  });

  it('refuses a private key, naming the file and the key', async () => {
    const { privateKey, fingerprint } = await makeKey();
    const path = await keyFile(privateKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(`recipient key ${fingerprint} (${uid}) in ${path} is a private key`);
  });

  it('refuses a v6 key, which GnuPG 2.2 cannot read', async () => {
    const { publicKey, fingerprint } = await makeKey({ config: { v6Keys: true } });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(`${fingerprint} (${uid}) in ${path} is a v6 key`);
  });

  it('refuses a v4 Ed25519/X25519 key (RFC 9580 algorithms), which GnuPG 2.2 cannot use', async () => {
    const { publicKey, fingerprint } = await makeKey({ type: 'curve25519' });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toBe(
      `recipient key ${fingerprint} (${uid}) in ${path} is an Ed25519 (RFC 9580 algorithm 27) key, ` +
        'which GnuPG 2.2 cannot use; ask its owner for an RSA key or a GnuPG-compatible curve 25519 key ' +
        '(gpg --quick-gen-key NAME future-default makes one)',
    );
  });

  it('refuses a key whose encryption subkey is X25519, though its primary key is readable', async () => {
    // openpgp.js accepts `type` per subkey; its typings do not list it.
    const { publicKey, fingerprint } = await makeKey({ subkeys: [{ type: 'curve25519' } as object] });
    const path = await keyFile(publicKey.armor());

    const err = await refusal([path]);

    expect(err.message).toContain(
      `${fingerprint} (${uid}) in ${path} has an X25519 (RFC 9580 algorithm 25) encryption subkey, ` +
        'which GnuPG 2.2 cannot use',
    );
  });

  it('accepts RSA keys', async () => {
    const { publicKey, fingerprint } = await makeKey({ type: 'rsa', rsaBits: 2048 });

    const { recipients } = await loadRecipients([await keyFile(publicKey.armor())]);

    expect(recipients.map((r) => r.fingerprint)).toEqual([fingerprint]);
  });

  it.each([
    ['text without any armored block', 'hello, I am not a key\n'],
    [
      'an armored block that is not a key',
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n',
    ],
  ])('refuses a file holding %s', async (_what, text) => {
    const path = await keyFile(text, 'garbage.asc');

    const err = await refusal([path]);

    expect(err.code).toBe('crypto');
    expect(err.message).toMatch(
      new RegExp(`^recipient key file ${path} (is not a valid|holds no armored) OpenPGP`),
    );
  });

  it('refuses a stray file that is not a key in a key directory', async () => {
    const { publicKey } = await makeKey();
    const dir = await tempDir();
    await writeFile(join(dir, 'a.asc'), publicKey.armor());
    await writeFile(join(dir, 'README'), 'put keys here');

    const err = await refusal([dir]);

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(join(dir, 'README'));
  });

  it('refuses an empty list of paths and an empty directory', async () => {
    expect((await refusal([])).code).toBe('config');
    const dir = await tempDir();
    await writeFile(join(dir, '.hidden.asc'), (await makeKey()).publicKey.armor());
    const err = await refusal([dir]);
    expect(err.code).toBe('config');
    expect(err.message).toContain(dir);
  });

  it('says when a path does not exist', async () => {
    const missing = join(await tempDir(), 'nope.asc');

    const err = await refusal([missing]);

    expect(err.code).toBe('not-found');
    expect(err.message).toContain(missing);
  });
});

describe('expiry warnings', () => {
  it('warns about a usable key that expires within 30 days', async () => {
    const seconds = 10 * 86_400;
    const { publicKey, fingerprint } = await makeKey({ keyExpirationTime: seconds });
    const path = await keyFile(publicKey.armor());

    const { recipients, warnings } = await loadRecipients([path]);

    expect(recipients.map((r) => r.fingerprint)).toEqual([fingerprint]);
    expect(warnings).toEqual([
      `recipient key ${fingerprint} (${uid}) in ${path} expires on ${day(expiryOf(publicKey, seconds))}; ` +
        'ask its owner for a renewed key',
    ]);
  });

  it('does not warn about a key that expires in more than 30 days', async () => {
    const { publicKey } = await makeKey({ keyExpirationTime: 31 * 86_400 + 3600 });

    const { warnings } = await loadRecipients([await keyFile(publicKey.armor())]);

    expect(warnings).toEqual([]);
  });

  it('warns when the encryption subkey expires soon even if the primary key does not', async () => {
    const { publicKey, fingerprint } = await makeKey({ subkeys: [{ keyExpirationTime: 5 * 86_400 }] });

    const { warnings } = await loadRecipients([await keyFile(publicKey.armor())]);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(fingerprint);
  });
});
