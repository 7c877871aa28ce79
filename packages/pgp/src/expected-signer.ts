// Decrypting or verifying "signed by someone" proves nothing: the signature
// must be by the key the reader expects (the signer named in the metadata).
// Each way that fails gets its own message.
import { LifeboatError } from '@lifeboat/core';
import type { DecryptMessageResult, Key, PublicKey } from 'openpgp';
import { fingerprintOf } from './key-facts.ts';
import { keyIdHex } from './keys-for-message.ts';
import { publicKeyOf } from './public-key.ts';

/** One signature of a message as openpgp.js reports it (its typings do not export the name). */
type VerificationResult = DecryptMessageResult['signatures'][number];

/** A v4 fingerprint (any case; spaces and a 0x prefix allowed) or the public key itself. */
export type ExpectedSigner = string | PublicKey;

function normalFingerprint(text: string): string {
  return text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
}

/** The expected signer's public key, found by fingerprint among `candidates` when not given as a key. */
export function resolveSigner(expected: ExpectedSigner, candidates: readonly Key[]): PublicKey {
  if (typeof expected !== 'string') return publicKeyOf(expected);
  const fingerprint = normalFingerprint(expected);
  const found = candidates.find((key) => fingerprintOf(key) === fingerprint);
  if (!found) {
    throw new LifeboatError(
      'crypto',
      `no public key for the expected signer ${fingerprint}; give its public key ` +
        `(gpg --armor --export ${fingerprint})`,
    );
  }
  return publicKeyOf(found);
}

/** The signature made by `signer` among those of a message; throws naming who signed instead. */
export function signatureBy(
  signatures: readonly VerificationResult[],
  signer: PublicKey,
  what: string,
): VerificationResult {
  const fingerprint = fingerprintOf(signer);
  if (signatures.length === 0) {
    throw new LifeboatError(
      'crypto',
      `${what} is not signed, but a signature by ${fingerprint} was expected`,
    );
  }
  const ids = signer.getKeyIDs();
  const found = signatures.find((s) => ids.some((id) => id.equals(s.keyID)));
  if (!found) {
    const others = [...new Set(signatures.map((s) => keyIdHex(s.keyID)))];
    throw new LifeboatError(
      'crypto',
      `${what} is signed by key ID${others.length === 1 ? '' : 's'} ${others.join(', ')}, ` +
        `not by the expected signer ${fingerprint}`,
    );
  }
  return found;
}

/** Waits for openpgp.js to check the signature (for a stream: after the last byte was read). */
export async function checkSignature(
  signature: VerificationResult,
  signer: PublicKey,
  what: string,
): Promise<void> {
  try {
    await signature.verified;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const fingerprint = fingerprintOf(signer);
    if (/digest did not match|signature mismatch|invalid signature/i.test(detail)) {
      throw new LifeboatError(
        'integrity',
        `${what} has a bad signature by ${fingerprint}: it was modified after it was signed`,
        { cause: err },
      );
    }
    throw new LifeboatError('crypto', `the signature by ${fingerprint} on ${what} is not valid (${detail})`, {
      cause: err,
    });
  }
}
