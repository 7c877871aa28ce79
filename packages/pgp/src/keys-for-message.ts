// A message names the keys it is encrypted to by key ID (PKESK packets).
// Matching them against the given private keys before decrypting turns
// openpgp.js's "No decryption key packets found" into a message that says
// which keys would work, and means only a matching key's passphrase matters.
import { LifeboatError } from '@lifeboat/core';
import type { KeyID, PrivateKey } from 'openpgp';
import type { DecryptionKey } from './decryption-keys.ts';
import { fingerprintOf, primaryUserId } from './key-facts.ts';
import { unlockKey } from './unlock.ts';

/** How GnuPG prints a key ID: 16 upper-case hex digits. */
export function keyIdHex(id: KeyID): string {
  return id.toHex().toUpperCase();
}

async function describe(candidate: DecryptionKey): Promise<string> {
  const { key, source } = candidate;
  const userId = await primaryUserId(key);
  return `private key ${fingerprintOf(key)}${userId ? ` (${userId})` : ''}${source ? ` in ${source}` : ''}`;
}

function matches(key: PrivateKey, wanted: readonly KeyID[]): boolean {
  // A wildcard ID (gpg --throw-keyids) hides the recipient: any key may fit.
  return key.getKeyIDs().some((id) => wanted.some((w) => w.equals(id, true)));
}

/**
 * The given keys the message is encrypted to, unlocked. Throws when none is
 * (naming the key IDs the message wants) or none can be unlocked.
 */
export async function keysForMessage(
  wanted: readonly KeyID[],
  candidates: readonly DecryptionKey[],
  name: string,
): Promise<PrivateKey[]> {
  if (candidates.length === 0) {
    throw new LifeboatError('config', `no private key was given to decrypt ${name}`);
  }
  const matching = candidates.filter((c) => matches(c.key, wanted));
  if (matching.length === 0) {
    const given = await Promise.all(candidates.map(describe));
    throw new LifeboatError(
      'crypto',
      `${name} is encrypted to key ID${wanted.length === 1 ? '' : 's'} ${wanted.map(keyIdHex).join(', ')}, ` +
        `but the given ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} not among them; ` +
        "use one of the recipients' private keys",
    );
  }
  const unlocked: PrivateKey[] = [];
  let firstProblem: unknown;
  for (const candidate of matching) {
    try {
      unlocked.push(await unlockKey(candidate.key, candidate.passphrase, await describe(candidate)));
    } catch (err) {
      firstProblem ??= err;
    }
  }
  if (unlocked.length === 0) throw firstProblem;
  return unlocked;
}
