// Interoperability of @lifeboat/pgp with real GnuPG 2.2, both ways: what we
// encrypt and sign, gpg decrypts and reports as well signed; what gpg encrypts
// and signs, we decrypt and verify into a file; damage gives distinct errors
// and leaves no file. Keys are made by openpgp.js (legacy curve 25519 and RSA
// 3072) and by gpg itself.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isLifeboatError, type LifeboatError } from '@lifeboat/core';
import {
  type DecryptionKey,
  decryptToFile,
  encryptionProfile,
  encryptStream,
  loadDecryptionKeys,
  loadRecipients,
  loadSigningKey,
  publicKeyOf,
  type Recipient,
  type SigningKey,
  signDetached,
  verifyDetached,
} from '@lifeboat/pgp';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type Gpg } from '../infra/index.ts';

interface Party {
  armoredPrivate: string;
  armoredPublic: string;
  fingerprint: string;
}

let dir: string;
const homes: Gpg[] = [];

async function openpgpKey(name: string, type: 'ecc' | 'rsa'): Promise<Party> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name, email: `${name.toLowerCase()}@example.com` }],
    ...(type === 'rsa' ? { type: 'rsa', rsaBits: 3072 } : { type: 'ecc', curve: 'curve25519Legacy' }),
    format: 'object',
  });
  return {
    armoredPrivate: privateKey.armor(),
    armoredPublic: publicKey.armor(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}

async function gpgHome(...imports: string[]): Promise<Gpg> {
  const gpg = await createGpgHome();
  homes.push(gpg);
  for (const armored of imports) await gpg.run(['--import'], armored);
  return gpg;
}

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Runs gpg, returning its status lines (--status-file) and whatever it wrote to --output. */
async function gpgStatus(gpg: Gpg, args: string[]): Promise<{ status: string[]; output?: Buffer }> {
  const status = join(dir, `status-${randomBytes(4).toString('hex')}`);
  const output = join(dir, `out-${randomBytes(4).toString('hex')}`);
  const wantsOutput = args.includes('--decrypt');
  await gpg.run([
    '--trust-model',
    'always',
    '--status-file',
    status,
    ...(wantsOutput ? ['--output', output] : []),
    ...args,
  ]);
  return {
    status: (await readFile(status, 'utf8')).split('\n').filter(Boolean),
    ...(wantsOutput ? { output: await readFile(output) } : {}),
  };
}

async function ourEncryption(
  data: Buffer,
  recipients: Recipient[],
  signingKey?: SigningKey,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const input = Readable.from(
    Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) =>
      data.subarray(i * 65_536, (i + 1) * 65_536),
    ),
  );
  const output = encryptStream({
    input,
    recipients,
    signingKey,
    profile: await encryptionProfile(recipients),
  });
  for await (const chunk of output) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function fileStream(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes)]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-gpg-interop-'));
});

afterAll(async () => {
  await Promise.all(homes.map((h) => h.remove()));
  await rm(dir, { recursive: true, force: true });
});

describe('GnuPG 2.2 opens what Lifeboat writes', () => {
  let ecc: Party;
  let rsa: Party;
  let signer: Party;
  const payload = randomBytes(4 * 1024 * 1024 + 123);

  beforeAll(async () => {
    [ecc, rsa, signer] = await Promise.all([
      openpgpKey('Auditor', 'ecc'),
      openpgpKey('Archive', 'rsa'),
      openpgpKey('Cluster', 'ecc'),
    ]);
  });

  it.each([
    ['curve 25519 (legacy)', () => ecc],
    ['RSA 3072', () => rsa],
  ])('gpg --decrypt gives back the bytes and a good signature, recipient key %s', async (_type, who) => {
    const recipient = who();
    const { recipients } = await loadRecipients([
      await file(`${recipient.fingerprint}.asc`, recipient.armoredPublic),
    ]);
    const signingKey = await loadSigningKey(await file('signer.asc', signer.armoredPrivate));
    const gpg = await gpgHome(recipient.armoredPrivate, signer.armoredPublic);
    const message = await ourEncryption(payload, recipients, signingKey);
    expect(message.subarray(0, 10).toString('latin1')).not.toContain('BEGIN'); // binary, not armored

    const { status, output } = await gpgStatus(gpg, ['--decrypt', await file('payload.pgp', message)]);

    expect(output!.equals(payload)).toBe(true);
    expect(status).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[GNUPG:\\] GOODSIG ${signer.fingerprint.slice(-16)} `)),
    );
    expect(status).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${signer.fingerprint} `)),
    );
    expect(status).toContain('[GNUPG:] GOODMDC');
    expect(status).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(status.filter((l) => /BADSIG|ERRSIG|DECRYPTION_FAILED/.test(l))).toEqual([]);
  });

  it('encrypts to two recipients, each of whom decrypts alone with gpg', async () => {
    const { recipients } = await loadRecipients([
      await file('ecc.asc', ecc.armoredPublic),
      await file('rsa.asc', rsa.armoredPublic),
    ]);
    expect(recipients).toHaveLength(2);
    const message = await file('two.pgp', await ourEncryption(payload, recipients));

    for (const recipient of [ecc, rsa]) {
      const gpg = await gpgHome(recipient.armoredPrivate);
      const { output, status } = await gpgStatus(gpg, ['--decrypt', message]);
      expect(output!.equals(payload)).toBe(true);
      expect(status).toContain('[GNUPG:] GOODMDC');
    }
  });

  it('gpg refuses what nobody it holds a key for can open', async () => {
    const { recipients } = await loadRecipients([await file('ecc-only.asc', ecc.armoredPublic)]);
    const message = await file('ecc-only.pgp', await ourEncryption(payload.subarray(0, 1000), recipients));
    const gpg = await gpgHome(rsa.armoredPrivate);

    await expect(gpgStatus(gpg, ['--decrypt', message])).rejects.toThrow(/No secret key|decryption failed/);
  });

  it.each([
    ['curve 25519 (legacy)', () => signer],
    ['RSA 3072', () => rsa],
  ])('gpg --verify accepts our detached signature of the metadata, signer key %s', async (_type, who) => {
    const party = who();
    const signingKey = await loadSigningKey(await file('metadata-signer.asc', party.armoredPrivate));
    const metadata = Buffer.from('{"formatVersion":1,"id":"20260102T030405Z"}\n');
    const json = await file('x.json', metadata);
    const asc = await file('x.json.asc', await signDetached(metadata, signingKey));
    const gpg = await gpgHome(party.armoredPublic);

    const { status } = await gpgStatus(gpg, ['--verify', asc, json]);

    expect(status).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${party.fingerprint} `)),
    );

    await writeFile(json, Buffer.from('{"formatVersion":1,"id":"20260102T030405Y"}\n'));
    await expect(gpgStatus(gpg, ['--verify', asc, json])).rejects.toThrow(/BAD signature/);
  });
});

describe('Lifeboat opens what GnuPG 2.2 writes', () => {
  let gpg: Gpg;
  let auditorKeys: DecryptionKey[];
  let auditorFingerprint: string;
  let senderPublic: openpgp.PublicKey;
  let senderFingerprint: string;
  const payload = randomBytes(3 * 1024 * 1024 + 7);
  let message: Buffer;

  /** The fingerprint of the only secret key gpg holds for `uid`. */
  async function fingerprintFor(uid: string): Promise<string> {
    const listing = (await gpg.run(['--with-colons', '--list-secret-keys', uid])).toString();
    return /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
  }

  beforeAll(async () => {
    gpg = await gpgHome();
    // gpg's own keys: a passphrase-protected curve 25519 auditor key and an RSA 3072 sender key.
    await gpg.run([
      '--passphrase',
      'auditor pass',
      '--quick-gen-key',
      'Auditor <auditor@example.com>',
      'future-default',
      'default',
      '0',
    ]);
    await gpg.run([
      '--passphrase',
      '',
      '--quick-gen-key',
      'Sender <sender@example.com>',
      'rsa3072',
      'default',
      '0',
    ]);
    auditorFingerprint = await fingerprintFor('auditor@example.com');
    senderFingerprint = await fingerprintFor('sender@example.com');
    const exported = await gpg.run([
      '--passphrase',
      'auditor pass',
      '--armor',
      '--export-secret-keys',
      auditorFingerprint,
    ]);
    auditorKeys = await loadDecryptionKeys([await file('auditor-secret.asc', exported)], {
      passphrase: 'auditor pass',
    });
    senderPublic = await openpgp.readKey({
      armoredKey: (await gpg.run(['--armor', '--export', senderFingerprint])).toString(),
    });
    // gpg compresses by default, and writes from stdin with partial lengths.
    message = await gpg.run(
      [
        '--trust-model',
        'always',
        '--local-user',
        senderFingerprint,
        '--recipient',
        auditorFingerprint,
        '--encrypt',
        '--sign',
      ],
      payload,
    );
  });

  async function decryptInto(bytes: Uint8Array, options: Partial<Parameters<typeof decryptToFile>[0]> = {}) {
    const out = await mkdtemp(join(dir, 'dest-'));
    const dest = join(out, 'backup.tar.zst');
    const run = decryptToFile({
      input: fileStream(bytes),
      privateKeys: auditorKeys,
      expectedSigner: senderFingerprint,
      verificationKeys: [senderPublic],
      dest,
      name: 'backup.tar.zst.pgp',
      ...options,
    });
    return { out, dest, run };
  }

  async function refusal(bytes: Uint8Array, options: Partial<Parameters<typeof decryptToFile>[0]> = {}) {
    const { out, run } = await decryptInto(bytes, options);
    const err = await run.then(
      () => {
        throw new Error('expected decryptToFile to fail');
      },
      (e: unknown) => e,
    );
    expect(isLifeboatError(err)).toBe(true);
    expect(await readdir(out)).toEqual([]); // neither dest nor dest.partial
    return err as LifeboatError;
  }

  it('decrypts gpg --encrypt --sign output and verifies the signature', async () => {
    const { dest, run } = await decryptInto(message);

    const result = await run;

    expect((await readFile(dest)).equals(payload)).toBe(true);
    expect(result.signer).toBe(senderFingerprint);
  });

  it('verifies with the expected signer given as a public key', async () => {
    const { dest, run } = await decryptInto(message, {
      expectedSigner: publicKeyOf(senderPublic),
      verificationKeys: [],
    });

    await run;

    expect((await readFile(dest)).equals(payload)).toBe(true);
  });

  it('verifies a gpg detached signature', async () => {
    const metadata = Buffer.from('{"id":"x"}\n');
    const signature = (
      await gpg.run(['--local-user', senderFingerprint, '--armor', '--detach-sign'], metadata)
    ).toString();

    await expect(verifyDetached(metadata, signature, [senderPublic])).resolves.toEqual({
      signer: senderFingerprint,
    });
  });

  it('reports a tampered byte as a modification', async () => {
    const tampered = Buffer.from(message);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x10;

    const err = await refusal(tampered);

    expect(err.code).toBe('integrity');
    expect(err.message).toBe(
      'backup.tar.zst.pgp was modified: its integrity check failed; do not trust this copy',
    );
  });

  it('reports a truncated file as truncated', async () => {
    const err = await refusal(message.subarray(0, message.length - 1000));

    expect(err.code).toBe('integrity');
    expect(err.message).toMatch(/^backup\.tar\.zst\.pgp is truncated: it ends after \d+ bytes/);
  });

  it('reports a wrong key, naming the key ID the message is for', async () => {
    const stranger = await openpgp.generateKey({ userIDs: [{ name: 'Stranger' }], format: 'object' });
    const wanted = (await gpg.run(['--with-colons', '--list-keys', auditorFingerprint]))
      .toString()
      .split('\n')
      .find((l) => l.startsWith('sub:'))!
      .split(':')[4]!;

    const err = await refusal(message, { privateKeys: [{ key: stranger.privateKey }] });

    expect(err.code).toBe('crypto');
    expect(err.message).toContain(
      `backup.tar.zst.pgp is encrypted to key ID ${wanted}, but the given private key`,
    );
  });

  it('reports a wrong and a missing passphrase', async () => {
    const wrong = await refusal(message, {
      privateKeys: auditorKeys.map((k) => ({ ...k, passphrase: 'nope' })),
    });
    expect(wrong.message).toMatch(new RegExp(`^wrong passphrase for private key ${auditorFingerprint}`));

    const missing = await refusal(message, {
      privateKeys: auditorKeys.map((k) => ({ ...k, passphrase: undefined })),
    });
    expect(missing.message).toContain('is protected by a passphrase, but none was given');
  });

  it('refuses a message signed by someone other than the expected signer', async () => {
    const unsigned = await gpg.run(
      ['--trust-model', 'always', '--recipient', auditorFingerprint, '--encrypt'],
      payload,
    );

    const notSigned = await refusal(unsigned);
    expect(notSigned.message).toBe(
      `backup.tar.zst.pgp is not signed, but a signature by ${senderFingerprint} was expected`,
    );

    const byAuditor = await gpg.run(
      [
        '--trust-model',
        'always',
        '--passphrase',
        'auditor pass',
        '--local-user',
        auditorFingerprint,
        '--recipient',
        auditorFingerprint,
        '--encrypt',
        '--sign',
      ],
      payload,
    );
    const other = await refusal(byAuditor);
    expect(other.message).toMatch(
      /^backup\.tar\.zst\.pgp is signed by key ID [0-9A-F]{16}, not by the expected signer/,
    );
  });

  it('decrypts a round trip: ours to gpg and back', async () => {
    const { recipients } = await loadRecipients([
      await file('auditor-public.asc', await gpg.run(['--armor', '--export', auditorFingerprint])),
    ]);
    const ours = await ourEncryption(payload, recipients);
    const fromGpg = await gpg.run(['--passphrase', 'auditor pass', '--decrypt'], ours);
    expect(fromGpg.equals(payload)).toBe(true);

    const { dest, run } = await decryptInto(ours, { expectedSigner: undefined });
    await run;
    expect((await readFile(dest)).equals(payload)).toBe(true);
  });
});
