// Verifying needs only public keys. The signer's public key is often already
// at hand as a private key (the signing key, or a recipient's key used to
// decrypt), so verify can check signatures without asking for another file.
import type { Key, PublicKey } from 'openpgp';

/** The public half of a key, or of a loaded signing key. */
export function publicKeyOf(key: Key | { key: Key }): PublicKey {
  const k = 'keyPacket' in key ? key : key.key;
  return k.isPrivate() ? k.toPublic() : (k as PublicKey);
}
