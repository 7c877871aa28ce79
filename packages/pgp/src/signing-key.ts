// The optional key that signs backups, read from a file (a mounted Secret).
// Each way it can be wrong gets its own message, because "cannot sign" is
// useless when the fix is "give the passphrase" or "renew the key".
import { LifeboatError } from '@lifeboat/core';
import type { Key, PrivateKey } from 'openpgp';
import { readArmoredKeys } from './armor.ts';
import { compatibleCurve25519 } from './gnupg-algorithms.ts';
import { describeKey, fingerprintOf, primaryUserId } from './key-facts.ts';
import { readKeyFile } from './key-files.ts';
import { unlockKey } from './unlock.ts';
import { capabilityProblem, chosenKeyProblem, type ProblemKind, primaryKeyProblem } from './usability.ts';

export interface SigningKey {
  /** Decrypted, ready for `signingKeys`. */
  key: PrivateKey;
  /** v4 fingerprint, upper-case hex (40 characters). */
  fingerprint: string;
  userId: string | undefined;
}

const signingFix: Record<ProblemKind, string> = {
  version: 'use a v4 key',
  algorithm: `use an RSA key or a GnuPG-compatible curve 25519 key (${compatibleCurve25519})`,
  revoked: 'use a new signing key and give its public key to whoever verifies backups',
  'not-yet-valid': "check this machine's clock",
  expired: 'extend its expiry (gpg --quick-set-expire) or use a new signing key',
  incapable: 'use a key that can sign',
  'subkey-revoked': 'add a new signing subkey or use a new signing key',
  'subkey-expired': 'extend its expiry (gpg --quick-set-expire) or use a new signing key',
  unusable: 'use a new signing key',
};

async function readOneKey(path: string): Promise<Key> {
  let keys: Key[];
  try {
    keys = await readArmoredKeys(await readKeyFile(path, 'signing key file'));
  } catch (err) {
    if (err instanceof LifeboatError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new LifeboatError('crypto', `signing key file ${path} is not a valid OpenPGP key (${detail})`, {
      cause: err,
    });
  }
  if (keys.length !== 1) {
    const found = keys.length === 0 ? 'no armored OpenPGP key' : `${keys.length} keys`;
    throw new LifeboatError(
      'crypto',
      `signing key file ${path} holds ${found}; it must hold exactly one private key`,
    );
  }
  return keys[0]!;
}

/**
 * Loads an armored private key and decrypts it with `passphrase` when it is
 * protected; refuses a key that cannot sign at `now`.
 */
export async function loadSigningKey(
  path: string,
  options: { passphrase?: string; now?: Date } = {},
): Promise<SigningKey> {
  const now = options.now ?? new Date();
  const key = await readOneKey(path);
  const fingerprint = fingerprintOf(key);
  const userId = await primaryUserId(key);
  const describe = describeKey('signing key', fingerprint, userId, path);
  if (!key.isPrivate()) {
    throw new LifeboatError('crypto', `${describe} is a public key; signing needs the private key`);
  }
  // Checked before decrypting: "renew the key" helps more than "wrong passphrase".
  const problem = await primaryKeyProblem(key, now);
  if (problem)
    throw new LifeboatError('crypto', `${describe} ${problem.reason}; ${signingFix[problem.kind]}`);
  let signingKey: Awaited<ReturnType<PrivateKey['getSigningKey']>>;
  try {
    signingKey = await key.getSigningKey(undefined, now);
  } catch (err) {
    const { kind, reason } = await capabilityProblem(key, 'sign', now, err);
    throw new LifeboatError('crypto', `${describe} ${reason}; ${signingFix[kind]}`, { cause: err });
  }
  const chosen = chosenKeyProblem(key, signingKey, 'sign');
  if (chosen) throw new LifeboatError('crypto', `${describe} ${chosen.reason}; ${signingFix[chosen.kind]}`);
  return { key: await unlockKey(key, options.passphrase, describe), fingerprint, userId };
}
