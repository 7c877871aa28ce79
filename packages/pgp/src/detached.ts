// Detached signatures for the cleartext metadata (`<id>.json.asc`), so an
// auditor can run `gpg --verify x.json.asc x.json` with nothing but GnuPG.
import { LifeboatError } from '@lifeboat/core';
import { createMessage, type PrivateKey, type PublicKey, readSignature, sign, verify } from 'openpgp';
import { checkSignature } from './expected-signer.ts';
import { fingerprintOf } from './key-facts.ts';
import { keyIdHex } from './keys-for-message.ts';

/** An ASCII-armored detached signature over `data` as binary (signature type 0x00). */
export async function signDetached(data: Uint8Array, signingKey: { key: PrivateKey }): Promise<string> {
  try {
    return await sign({
      message: await createMessage({ binary: data }),
      signingKeys: signingKey.key,
      detached: true,
      format: 'armored',
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LifeboatError('crypto', `signing failed: ${detail}`, { cause: err });
  }
}

/**
 * Checks an armored detached signature over `data` against `publicKeys`
 * (e.g. only the expected signer's key). Every signature made by one of them
 * must verify; returns the fingerprint of the first one's primary key.
 */
export async function verifyDetached(
  data: Uint8Array,
  armoredSignature: string,
  publicKeys: readonly PublicKey[],
  options: { name?: string } = {},
): Promise<{ signer: string }> {
  const name = options.name ?? 'the data';
  let signature: Awaited<ReturnType<typeof readSignature>>;
  try {
    signature = await readSignature({ armoredSignature });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LifeboatError('integrity', `the signature of ${name} is not an OpenPGP signature (${detail})`, {
      cause: err,
    });
  }
  const { signatures } = await verify({
    message: await createMessage({ binary: data }),
    signature,
    verificationKeys: [...publicKeys],
    format: 'binary',
  });
  for (const s of signatures) s.verified.catch(() => {}); // those by unknown keys are never awaited
  const byKnownKey = signatures.flatMap((s) => {
    const key = publicKeys.find((k) => k.getKeyIDs().some((id) => id.equals(s.keyID)));
    return key ? [{ signature: s, key }] : [];
  });
  if (byKnownKey.length === 0) {
    const ids = [...new Set(signatures.map((s) => keyIdHex(s.keyID)))];
    const known = publicKeys.map(fingerprintOf).join(', ') || 'none';
    throw new LifeboatError(
      'crypto',
      `${name} is signed by key ID${ids.length === 1 ? '' : 's'} ${ids.join(', ') || '(none)'}, ` +
        `not by any of the given public keys (${known})`,
    );
  }
  for (const { signature: s, key } of byKnownKey) await checkSignature(s, key, name);
  return { signer: fingerprintOf(byKnownKey[0]!.key) };
}
