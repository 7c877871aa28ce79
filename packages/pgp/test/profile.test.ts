import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { encryptionProfile } from '../src/index.ts';
import { makeKey } from './fixtures.ts';

/** Tag and version of the encrypted-data packet openpgp.js wrote for these keys with this config. */
async function dataPacket(keys: openpgp.PublicKey[], config: openpgp.PartialConfig) {
  const encrypted = await openpgp.encrypt({
    message: await openpgp.createMessage({ binary: new TextEncoder().encode('etcd snapshot') }),
    encryptionKeys: keys,
    format: 'binary',
    config,
  });
  const message = await openpgp.readMessage({ binaryMessage: encrypted });
  const tags = message.packets.map((p) => (p.constructor as unknown as { tag: number }).tag);
  const data = message.packets.filter((p) => (p.constructor as unknown as { tag: number }).tag !== 1);
  expect(data).toHaveLength(1);
  return {
    tags,
    tag: (data[0]!.constructor as unknown as { tag: number }).tag,
    version: (data[0] as unknown as { version: number }).version,
  };
}

describe('encryption profile', () => {
  it('uses SEIPDv1 for a default v4 key, which GnuPG 2.2 reads', async () => {
    const { publicKey } = await makeKey();

    const profile = await encryptionProfile([{ key: publicKey }]);

    expect(profile.seipdv2).toBe(false);
    expect(profile.config.aeadProtect).toBe(false);
    const packet = await dataPacket([publicKey], profile.config);
    expect(packet.tag).toBe(openpgp.enums.packet.symEncryptedIntegrityProtectedData); // 18
    expect(packet.tag).toBe(18);
    expect(packet.version).toBe(1);
    expect(packet.tags).not.toContain(openpgp.enums.packet.aeadEncryptedData);
  });

  it('uses SEIPDv2 only when every recipient advertises it', async () => {
    const [plain, aead, aead2] = await Promise.all([
      makeKey(),
      makeKey({ config: { aeadProtect: true } }),
      makeKey({ config: { aeadProtect: true } }),
    ]);

    const both = await encryptionProfile([{ key: aead.publicKey }, { key: aead2.publicKey }]);
    expect(both.seipdv2).toBe(true);
    expect(await dataPacket([aead.publicKey, aead2.publicKey], both.config)).toMatchObject({
      tag: 18,
      version: 2,
    });

    const mixed = await encryptionProfile([{ key: aead.publicKey }, { key: plain.publicKey }]);
    expect(mixed.seipdv2).toBe(false);
    expect(await dataPacket([aead.publicKey, plain.publicKey], mixed.config)).toMatchObject({
      tag: 18,
      version: 1,
    });
  });

  it('uses SEIPDv1 when there are no recipients to ask', async () => {
    expect((await encryptionProfile([])).seipdv2).toBe(false);
  });
});
