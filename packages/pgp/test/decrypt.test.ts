import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DecryptStreamOptions, decryptStream, fingerprintOf } from '../src/index.ts';
import { makeKey, rejection } from './fixtures.ts';
import { chunked, collect, encrypted, outerPackets, streamError } from './streams.ts';

type Pair = Awaited<ReturnType<typeof makeKey>>;

let recipient: Pair;
let signer: Pair;
let stranger: Pair;
const data = randomBytes(512 * 1024 + 3);
let signed: Buffer;

beforeAll(async () => {
  [recipient, signer, stranger] = await Promise.all([makeKey(), makeKey(), makeKey()]);
  signed = await encrypted(data, [recipient.publicKey], signer.privateKey);
});

function options(message: Uint8Array, more: Partial<DecryptStreamOptions> = {}): DecryptStreamOptions {
  return {
    input: chunked(message, 10_000),
    privateKeys: [{ key: recipient.privateKey }],
    expectedSigner: signer.publicKey,
    name: 'backup.tar.zst.pgp',
    ...more,
  };
}

/** Decrypts fully; returns the error `data` failed with, after checking `verified` rejects with the same. */
async function failure(
  message: Uint8Array,
  more: Partial<DecryptStreamOptions> = {},
): Promise<LifeboatError> {
  const o = options(message, more);
  const { data: plain, verified } = await decryptStream(o);
  const err = await streamError(plain);
  await expect(verified).rejects.toBe(err);
  expect(o.input.destroyed).toBe(true);
  expect(err).toBeInstanceOf(LifeboatError);
  return err as LifeboatError;
}

function flipped(message: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(message);
  copy[at]! ^= 0x01;
  return copy;
}

describe('decryptStream', () => {
  it('decrypts and verifies the expected signer', async () => {
    const { data: plain, verified } = await decryptStream(options(signed));

    expect((await collect(plain)).equals(data)).toBe(true);
    const result = await verified;
    expect(result.signer).toBe(signer.fingerprint);
    expect(result.bytes).toBe(data.length);
    expect(result.recipientKeyIds).toEqual([
      recipient.privateKey.subkeys[0]!.getKeyID().toHex().toUpperCase(),
    ]);
  });

  it('finds the expected signer by fingerprint among the verification keys', async () => {
    const { data: plain, verified } = await decryptStream(
      options(signed, {
        expectedSigner: signer.fingerprint.toLowerCase(),
        verificationKeys: [stranger.publicKey, signer.publicKey],
      }),
    );
    await collect(plain);

    expect((await verified).signer).toBe(signer.fingerprint);
  });

  it('finds the expected signer by fingerprint among the private keys', async () => {
    const own = await encrypted(data, [recipient.publicKey], recipient.privateKey);

    const { data: plain, verified } = await decryptStream(
      options(own, { expectedSigner: recipient.fingerprint }),
    );
    await collect(plain);

    expect((await verified).signer).toBe(recipient.fingerprint);
  });

  it('does not require a signature when no signer is expected', async () => {
    const unsigned = await encrypted(data, [recipient.publicKey]);

    const { data: plain, verified } = await decryptStream(options(unsigned, { expectedSigner: undefined }));

    expect((await collect(plain)).equals(data)).toBe(true);
    expect((await verified).signer).toBeUndefined();
  });

  it('uses whichever given key the message is encrypted to, unlocking only that one', async () => {
    const locked = await openpgp.encryptKey({ privateKey: recipient.privateKey, passphrase: 'pw' });
    const strangerLocked = await openpgp.encryptKey({ privateKey: stranger.privateKey, passphrase: 'x' });

    const { data: plain, verified } = await decryptStream(
      options(signed, {
        privateKeys: [{ key: strangerLocked }, { key: locked, passphrase: 'pw' }],
      }),
    );

    expect((await collect(plain)).equals(data)).toBe(true);
    await expect(verified).resolves.toMatchObject({ signer: signer.fingerprint });
  });

  it('says which key IDs the message is encrypted to when no given key matches', async () => {
    const err = await rejection(
      decryptStream(options(signed, { privateKeys: [{ key: stranger.privateKey, source: '/keys/me.asc' }] })),
    );

    const wanted = recipient.privateKey.subkeys[0]!.getKeyID().toHex().toUpperCase();
    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toBe(
      `backup.tar.zst.pgp is encrypted to key ID ${wanted}, but the given private key ` +
        `${stranger.fingerprint} (Ops <ops@example.com>) in /keys/me.asc is not among them; ` +
        "use one of the recipients' private keys",
    );
  });

  it('says the passphrase is wrong, or missing', async () => {
    const locked = await openpgp.encryptKey({ privateKey: recipient.privateKey, passphrase: 'right' });

    const wrong = await rejection(
      decryptStream(options(signed, { privateKeys: [{ key: locked, passphrase: 'nope' }] })),
    );
    expect((wrong as LifeboatError).code).toBe('crypto');
    expect(wrong.message).toBe(
      `wrong passphrase for private key ${recipient.fingerprint} (Ops <ops@example.com>)`,
    );

    const missing = await rejection(decryptStream(options(signed, { privateKeys: [{ key: locked }] })));
    expect(missing.message).toBe(
      `private key ${recipient.fingerprint} (Ops <ops@example.com>) is protected by a passphrase, but none was given`,
    );
  });

  it.each([
    ['just after the header', 0.001],
    ['a quarter in', 0.25],
    ['in the middle', 0.5],
    ['near the end', 0.95],
  ])('reports a byte changed %s as a modification, after streaming', async (_where, fraction) => {
    const seipd = outerPackets(signed).find((p) => p.tag === 18)!;
    const start = outerPackets(signed)[0]!.chunkEnds.at(-1)! + 10;
    const at = Math.floor(start + (seipd.chunkEnds.at(-1)! - start) * fraction);

    const err = await failure(flipped(signed, at));

    expect(err.code).toBe('integrity');
    expect(err.message).toBe(
      'backup.tar.zst.pgp was modified: its integrity check failed; do not trust this copy',
    );
  });

  it('reports a changed MDC even when the signature still verifies', async () => {
    const err = await failure(flipped(signed, signed.length - 5));

    expect(err.message).toContain('was modified');
  });

  it.each([
    ['by one byte', (m: Buffer) => m.length - 1],
    ['in the middle', (m: Buffer) => Math.floor(m.length / 2)],
    [
      'right after a partial-length chunk',
      (m: Buffer) => outerPackets(m).find((p) => p.tag === 18)!.chunkEnds[2]!,
    ],
  ])('reports a file cut %s as truncated', async (_where, cut) => {
    const err = await failure(signed.subarray(0, cut(signed)));

    expect(err.code).toBe('integrity');
    expect(err.message).toBe(
      `backup.tar.zst.pgp is truncated: it ends after ${cut(signed)} bytes, in the middle of a packet; ` +
        'fetch or copy it again',
    );
  });

  it('reports a file cut inside its first packets as truncated, before any data', async () => {
    const err = await rejection(decryptStream(options(signed.subarray(0, 40))));

    expect((err as LifeboatError).code).toBe('integrity');
    expect(err.message).toContain('backup.tar.zst.pgp is truncated: it ends after 40 bytes');
  });

  it.each([
    ['garbage', Buffer.from('trailing garbage')],
    ['a second message', null],
  ])('reports %s appended after the message', async (_what, extra) => {
    const err = await failure(Buffer.concat([signed, extra ?? signed]));

    expect(err.code).toBe('integrity');
    expect(err.message).toBe(
      `backup.tar.zst.pgp goes on after the end of its encrypted data (at byte ${signed.length}): ` +
        'something was appended to it',
    );
  });

  it('says when the input is empty or not OpenPGP', async () => {
    const empty = await rejection(decryptStream(options(Buffer.alloc(0))));
    expect(empty.message).toBe('backup.tar.zst.pgp is empty');

    const text = await rejection(decryptStream(options(Buffer.from('{"not":"openpgp"}\n'))));
    expect((text as LifeboatError).code).toBe('integrity');
    expect(text.message).toBe('backup.tar.zst.pgp is not an OpenPGP message');
  });

  it('refuses an unsigned message when a signer is expected, before any data', async () => {
    const unsigned = await encrypted(data, [recipient.publicKey]);

    const err = await rejection(decryptStream(options(unsigned)));

    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toBe(
      `backup.tar.zst.pgp is not signed, but a signature by ${signer.fingerprint} was expected`,
    );
  });

  it('refuses a message signed by someone else, naming the key ID', async () => {
    const forged = await encrypted(data, [recipient.publicKey], stranger.privateKey);

    const err = await rejection(decryptStream(options(forged)));

    expect(err.message).toBe(
      `backup.tar.zst.pgp is signed by key ID ${stranger.privateKey.getKeyID().toHex().toUpperCase()}, ` +
        `not by the expected signer ${signer.fingerprint}`,
    );
  });

  it('fails the stream when the signature does not match the data', async () => {
    const err = await failure(await badlySigned(signer.privateKey));

    expect(err.code).toBe('integrity');
    expect(err.message).toBe(
      `backup.tar.zst.pgp has a bad signature by ${signer.fingerprint}: it was modified after it was signed`,
    );
  });

  it('says when the expected signer’s public key is not at hand', async () => {
    const err = await rejection(
      decryptStream(
        options(signed, { expectedSigner: stranger.fingerprint, verificationKeys: [signer.publicKey] }),
      ),
    );

    expect(err.message).toBe(
      `no public key for the expected signer ${stranger.fingerprint}; give its public key ` +
        `(gpg --armor --export ${stranger.fingerprint})`,
    );
  });

  it('passes the input’s own error on, through data and verified', async () => {
    const boom = new LifeboatError('store', 'S3 connection reset');
    const input = new Readable({ read() {} });
    input.push(signed.subarray(0, 200_000));
    const { data: plain, verified } = await decryptStream(options(signed, { input }));
    setTimeout(() => input.destroy(boom), 20);

    expect(await streamError(plain)).toBe(boom);
    await expect(verified).rejects.toBe(boom);
  });

  it('passes on an input error emitted while reading the first packets', async () => {
    const input = createReadStream('/nonexistent/lifeboat/backup.pgp');

    const err = await rejection(decryptStream(options(signed, { input })));

    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('stops on abort, destroying the input', async () => {
    const input = new PassThrough();
    input.write(signed.subarray(0, 200_000));
    const controller = new AbortController();
    const { data: plain, verified } = await decryptStream(
      options(signed, { input, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 20);

    const err = await streamError(plain);

    expect((err as LifeboatError).code).toBe('aborted');
    await expect(verified).rejects.toMatchObject({ code: 'aborted' });
    expect(input.destroyed).toBe(true);
  });

  it('does not start when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const input = chunked(signed);

    const err = await rejection(decryptStream(options(signed, { input, signal: controller.signal })));

    expect((err as LifeboatError).code).toBe('aborted');
    expect(input.destroyed).toBe(true);
  });

  it('rejects verified and destroys the input when the consumer stops reading early', async () => {
    const input = chunked(signed, 10_000);
    const { data: plain, verified } = await decryptStream(options(signed, { input }));
    await new Promise((resolve) => plain.once('data', resolve));

    plain.destroy();

    await expect(verified).rejects.toMatchObject({
      code: 'aborted',
      message: 'decryption stopped before the end: nothing was verified',
    });
    await new Promise((resolve) => (input.destroyed ? resolve(undefined) : input.once('close', resolve)));
    expect(input.readableEnded).toBe(false);
  });

  it('delivers plaintext before the message has been read to its end', async () => {
    const input = new PassThrough();
    input.write(signed.subarray(0, signed.length - 1000));
    const { data: plain, verified } = await decryptStream(options(signed, { input }));

    let received = 0;
    await new Promise<void>((resolve) =>
      plain.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > data.length / 2) resolve();
      }),
    );
    expect(input.writableEnded).toBe(false);
    input.end(signed.subarray(signed.length - 1000));
    await new Promise((resolve) => plain.on('end', resolve));
    await expect(verified).resolves.toMatchObject({ bytes: data.length });
  });

  it('decrypts SEIPDv2 (AEAD) when every recipient reads it, and reports a changed byte', async () => {
    const modern = await makeKey({ config: { aeadProtect: true } });
    const message = await encrypted(data, [modern.publicKey], signer.privateKey);
    // After the PKESK: the SEIPD tag, a one-octet partial length, then the packet version.
    expect(message[outerPackets(message)[0]!.chunkEnds.at(-1)! + 2]).toBe(2);
    const more = { privateKeys: [{ key: modern.privateKey }] };

    const { data: plain, verified } = await decryptStream(options(message, more));
    expect((await collect(plain)).equals(data)).toBe(true);
    await expect(verified).resolves.toMatchObject({ signer: signer.fingerprint });

    const err = await failure(flipped(message, Math.floor(message.length / 2)), more);
    expect(err.message).toBe(
      'backup.tar.zst.pgp was modified: its integrity check failed; do not trust this copy',
    );
  });

  it('decrypts a message for a key whose encryption subkey has expired since', async () => {
    const dayMs = 86_400_000;
    const old = await makeKey({ date: new Date(Date.now() - 10 * dayMs), keyExpirationTime: 86_400 });
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: data }),
      encryptionKeys: old.publicKey,
      signingKeys: old.privateKey,
      date: new Date(Date.now() - 9.5 * dayMs),
      format: 'binary',
    });

    const { data: plain, verified } = await decryptStream(
      options(message, { privateKeys: [{ key: old.privateKey }], expectedSigner: old.fingerprint }),
    );

    expect((await collect(plain)).equals(data)).toBe(true);
    expect((await verified).signer).toBe(fingerprintOf(old.publicKey));
  });
});

/**
 * A message signed by `by` whose literal data was changed after signing, then
 * encrypted intact: the MDC passes, only the signature is wrong.
 */
async function badlySigned(by: openpgp.PrivateKey): Promise<Buffer> {
  const signedPlain = Buffer.from(
    await openpgp.sign({
      message: await openpgp.createMessage({ binary: data }),
      signingKeys: by,
      format: 'binary',
    }),
  );
  signedPlain[signedPlain.indexOf(data.subarray(0, 64)) + 10]! ^= 0x01;
  const message = await openpgp.readMessage({ binaryMessage: new Uint8Array(signedPlain) });
  // readMessage() leaves the trailing signature packet out of `packets`; put one back.
  const signature = await openpgp.sign({
    message: await openpgp.createMessage({ binary: data }),
    signingKeys: by,
    detached: true,
    format: 'object',
  });
  message.packets.push(...signature.packets);
  return Buffer.from(
    await openpgp.encrypt({ message, encryptionKeys: recipient.publicKey, format: 'binary' }),
  );
}
