// RFC 9580 gave X25519, X448, Ed25519 and Ed448 their own algorithm ids
// (25-28). GnuPG 2.2 predates them: it cannot import such a key, encrypt to it
// or check its signatures. It reads curve 25519 only in the older encoding
// (EdDSA 22 / ECDH 18), which GnuPG and openpgp.js's default keys use.
import { enums, type Key, type Subkey } from 'openpgp';

const unreadable = new Map<number, string>([
  [enums.publicKey.x25519, 'X25519'],
  [enums.publicKey.x448, 'X448'],
  [enums.publicKey.ed25519, 'Ed25519'],
  [enums.publicKey.ed448, 'Ed448'],
]);

/** The algorithm's name when GnuPG 2.2 cannot use a key of it, otherwise undefined. */
export function unreadableByGnupg22(key: Key | Subkey): string | undefined {
  const id = key.keyPacket.algorithm;
  const name = unreadable.get(id);
  return name && `${name} (RFC 9580 algorithm ${id})`;
}

/** How to make a curve 25519 key that GnuPG 2.2 reads, for messages. */
export const compatibleCurve25519 = 'gpg --quick-gen-key NAME future-default makes one';
