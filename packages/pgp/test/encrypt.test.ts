import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { encryptionProfile, encryptStream } from '../src/index.ts';
import { makeKey } from './fixtures.ts';
import { chunked, collect, encrypted, outerPackets, streamError } from './streams.ts';

/** Decrypts with openpgp.js in one piece (no streaming), the reference reader. */
async function openWith(message: Uint8Array, key: openpgp.PrivateKey, signer?: openpgp.PublicKey) {
  return openpgp.decrypt({
    message: await openpgp.readMessage({ binaryMessage: message }),
    decryptionKeys: key,
    verificationKeys: signer ? [signer] : [],
    format: 'binary',
    expectSigned: signer !== undefined,
  });
}

function tagsOf(message: openpgp.Message<Uint8Array>): number[] {
  return message.packets.map((p) => (p.constructor as unknown as { tag: number }).tag);
}

describe('encryptStream', () => {
  it('writes a binary SEIPDv1 message that decrypts to the input, with no compression packet', async () => {
    const { privateKey, publicKey } = await makeKey();
    const data = randomBytes(300 * 1024 + 5);

    const message = await encrypted(data, [publicKey]);

    expect(message[0]! & 0x80).toBe(0x80); // binary packet header, not "-----BEGIN PGP"
    expect(message.subarray(0, 5).toString()).not.toBe('-----');
    const outer = outerPackets(message).map((p) => p.tag);
    expect(outer).toEqual([openpgp.enums.packet.publicKeyEncryptedSessionKey, 18]);
    const { data: plain, signatures } = await openWith(message, privateKey);
    expect(Buffer.from(plain).equals(data)).toBe(true);
    expect(signatures).toEqual([]);
    const inner = await (await openpgp.readMessage({ binaryMessage: message })).decrypt([privateKey]);
    expect(tagsOf(inner)).toEqual([openpgp.enums.packet.literalData]);
  });

  it('signs the payload inside with a one-pass signature', async () => {
    const signer = await makeKey();
    const recipient = await makeKey();
    const data = randomBytes(100_000);

    const message = await encrypted(data, [recipient.publicKey], signer.privateKey);

    const { data: plain, signatures } = await openWith(message, recipient.privateKey, signer.publicKey);
    expect(Buffer.from(plain).equals(data)).toBe(true);
    expect(signatures).toHaveLength(1);
    await expect(signatures[0]!.verified).resolves.toBe(true);
    expect(signatures[0]!.keyID.equals(signer.privateKey.getKeyID())).toBe(true);
    const inner = await (await openpgp.readMessage({ binaryMessage: message })).decrypt([
      recipient.privateKey,
    ]);
    // The signature packet follows the literal data; openpgp.js lists the packets up to the data.
    expect(tagsOf(inner).slice(0, 2)).toEqual([
      openpgp.enums.packet.onePassSignature,
      openpgp.enums.packet.literalData,
    ]);
  });

  it('encrypts to every recipient, each of whom can decrypt alone', async () => {
    const [a, b] = await Promise.all([makeKey(), makeKey()]);
    const data = randomBytes(10_000);

    const message = await encrypted(data, [a.publicKey, b.publicKey]);

    for (const key of [a.privateKey, b.privateKey]) {
      expect(Buffer.from((await openWith(message, key)).data).equals(data)).toBe(true);
    }
  });

  it('encrypts an empty input', async () => {
    const { privateKey, publicKey } = await makeKey();

    const message = await encrypted(new Uint8Array(0), [publicKey]);

    expect((await openWith(message, privateKey)).data).toHaveLength(0);
  });

  it('emits ciphertext before the input has ended', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const input = new PassThrough();
    const output = encryptStream({ input, recipients, profile: await encryptionProfile(recipients) });
    let received = 0;
    const enough = new Promise<void>((resolve) => {
      output.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 1024 * 1024) resolve();
      });
    });
    const ended = new Promise((resolve, reject) => output.on('end', resolve).on('error', reject));

    for (let i = 0; i < 32; i++) input.write(randomBytes(64 * 1024)); // 2 MiB, and the input stays open
    const early = await Promise.race([enough.then(() => 'streamed'), sleep(10_000).then(() => 'buffered')]);
    expect(early).toBe('streamed');
    expect(input.writableEnded).toBe(false);
    input.end();
    await ended;
  });

  it('fails the output with the input’s own error, never ending cleanly', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const boom = new LifeboatError('etcd', 'etcd went away mid-snapshot');
    const input = new Readable({ read() {} });
    input.push(randomBytes(200_000));
    setTimeout(() => input.destroy(boom), 50);

    const output = encryptStream({ input, recipients, profile: await encryptionProfile(recipients) });

    expect(await streamError(output)).toBe(boom);
  });

  it('fails the output, without crashing, when the input fails before it is first read', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const input = createReadStream('/nonexistent/lifeboat/snapshot.db');
    const output = encryptStream({ input, recipients, profile: await encryptionProfile(recipients) });
    await new Promise<void>((resolve) => input.once('close', resolve)); // the ENOENT has been emitted

    const err = await streamError(output);

    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('fails with a crypto error when encryption itself cannot start', async () => {
    const { publicKey } = await makeKey();
    const signer = await makeKey({ passphrase: 'locked' }); // not decrypted: openpgp.js refuses to sign
    const recipients = [{ key: publicKey }];
    const input = chunked(randomBytes(1000));

    const err = await streamError(
      encryptStream({
        input,
        recipients,
        signingKey: { key: signer.privateKey },
        profile: await encryptionProfile(recipients),
      }),
    );

    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe('crypto');
    expect(err.message).toMatch(/^encryption failed: /);
    expect(input.destroyed).toBe(true);
  });

  it('refuses to encrypt to nobody', async () => {
    const input = chunked(randomBytes(10));
    const err = await streamError(
      encryptStream({ input, recipients: [], profile: await encryptionProfile([]) }),
    );

    expect((err as LifeboatError).code).toBe('config');
    expect(err.message).toContain('no recipients');
    expect(input.destroyed).toBe(true);
  });

  it('stops and destroys the input when the signal aborts', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const input = new Readable({ read() {} }); // never ends by itself
    input.push(randomBytes(100_000));
    const controller = new AbortController();

    const output = encryptStream({
      input,
      recipients,
      profile: await encryptionProfile(recipients),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const err = await streamError(output);

    expect((err as LifeboatError).code).toBe('aborted');
    expect(input.destroyed).toBe(true);
  });

  it('destroys the input when the consumer destroys the output', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const input = new Readable({ read() {} });
    input.push(randomBytes(100_000));
    const output = encryptStream({ input, recipients, profile: await encryptionProfile(recipients) });
    await new Promise((resolve) => output.once('data', resolve));

    output.destroy();
    await new Promise<void>((resolve) => input.once('close', resolve));

    expect(input.destroyed).toBe(true);
  });

  it('reads the input only as fast as the output is consumed', async () => {
    const { publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    let produced = 0;
    const input = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        produced += 64 * 1024;
        this.push(randomBytes(64 * 1024));
      },
    });
    const output = encryptStream({ input, recipients, profile: await encryptionProfile(recipients) });
    output.pause();
    output.read(0); // start, then never consume
    await sleep(500);

    expect(produced).toBeLessThan(4 * 1024 * 1024);
    output.destroy();
  });

  it('writes the literal data file name when given', async () => {
    const { privateKey, publicKey } = await makeKey();
    const recipients = [{ key: publicKey }];
    const message = await collect(
      encryptStream({
        input: chunked(Buffer.from('tar')),
        recipients,
        profile: await encryptionProfile(recipients),
        filename: 'backup.tar.zst',
      }),
    );

    expect((await openWith(message, privateKey)).filename).toBe('backup.tar.zst');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
