import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type Gpg } from './gpg.ts';

describe('GnuPG 2.2', () => {
  let gpg: Gpg;
  let key: { privateKey: string; publicKey: string };
  beforeAll(async () => {
    gpg = await createGpgHome();
    key = await openpgp.generateKey({
      userIDs: [{ name: 'Auditor', email: 'auditor@example.com' }],
      format: 'armored',
    });
    await gpg.run(['--import'], key.privateKey);
  });
  afterAll(() => gpg?.remove());

  it('is version 2.2', async () => {
    expect(await gpg.version()).toMatch(/^2\.2\./);
  });

  it('decrypts what openpgp.js encrypts to an openpgp.js-generated key', async () => {
    const text = `secret ${Math.random()}`;
    const encrypted = await openpgp.encrypt({
      message: await openpgp.createMessage({ text }),
      encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }),
    });
    expect((await gpg.run(['--decrypt'], encrypted as string)).toString()).toBe(text);
  });

  it('encrypts what openpgp.js decrypts', async () => {
    const text = `from gpg ${Math.random()}`;
    const armored = (
      await gpg.run(['--armor', '--trust-model', 'always', '--encrypt', '-r', 'auditor@example.com'], text)
    ).toString();
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: key.privateKey }),
    });
    expect(data).toBe(text);
  });
});
