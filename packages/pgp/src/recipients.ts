// The recipients a backup is encrypted to: every armored public key in the
// configured files and directories, each checked to be usable at `now` so a
// backup never goes to a key its owner can no longer (or should no longer) use.
import { LifeboatError } from '@lifeboat/core';
import type { Key, PublicKey } from 'openpgp';
import { readArmoredKeys } from './armor.ts';
import { compatibleCurve25519 } from './gnupg-algorithms.ts';
import { day, describeKey, earliest, expiryDate, fingerprintOf, primaryUserId } from './key-facts.ts';
import { listKeyFiles, readKeyFile } from './key-files.ts';
import { capabilityProblem, chosenKeyProblem, type ProblemKind, primaryKeyProblem } from './usability.ts';

export interface Recipient {
  key: PublicKey;
  /** v4 fingerprint, upper-case hex (40 characters). */
  fingerprint: string;
  userId: string | undefined;
  /** When encrypting to this key stops working (primary key or encryption subkey); undefined: never. */
  expires: Date | undefined;
  /** The first file the key was found in. */
  source: string;
}

export interface LoadedRecipients {
  recipients: Recipient[];
  /** One line each, for keys that still work but expire soon. */
  warnings: string[];
}

export const expiryWarningDays = 30;
const dayMs = 86_400_000;

const recipientFix: Record<ProblemKind, string> = {
  version: 'ask its owner for a v4 key',
  algorithm: `ask its owner for an RSA key or a GnuPG-compatible curve 25519 key (${compatibleCurve25519})`,
  revoked: 'remove it from the recipients',
  'not-yet-valid': "check this machine's clock",
  expired: 'ask its owner for a renewed key',
  incapable: 'ask its owner for a key with an encryption subkey',
  'subkey-revoked': 'ask its owner for a new encryption subkey',
  'subkey-expired': 'ask its owner for a renewed key',
  unusable: 'ask its owner for a new key',
};

interface Found {
  key: PublicKey;
  source: string;
}

async function keysInFile(path: string): Promise<Key[]> {
  let keys: Key[];
  try {
    keys = await readArmoredKeys(await readKeyFile(path, 'recipient key file'));
  } catch (err) {
    if (err instanceof LifeboatError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new LifeboatError('crypto', `recipient key file ${path} is not a valid OpenPGP key (${detail})`, {
      cause: err,
    });
  }
  if (keys.length === 0) {
    throw new LifeboatError('crypto', `recipient key file ${path} holds no armored OpenPGP public key`);
  }
  return keys;
}

/** Reads every key; the same key in several files becomes one, with every signature of every copy. */
async function readKeys(paths: readonly string[], now: Date): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  for (const source of await listKeyFiles(paths, 'recipient key path')) {
    for (const key of await keysInFile(source)) {
      const fingerprint = fingerprintOf(key);
      if (key.isPrivate()) {
        // The cluster must never hold a key that can decrypt its own backups.
        throw new LifeboatError(
          'crypto',
          `${describeKey('recipient key', fingerprint, await primaryUserId(key), source)} is a private key; ` +
            'put only the public key there (gpg --armor --export) and keep the private key off the cluster',
        );
      }
      const seen = found.get(fingerprint);
      // Merging (not first-wins) means a revocation in either copy counts.
      found.set(fingerprint, seen ? { ...seen, key: await seen.key.update(key, now) } : { key, source });
    }
  }
  return found;
}

/** Throws when the key cannot be encrypted to at `now`; otherwise returns when it stops working. */
async function usableUntil(key: PublicKey, describe: string, now: Date): Promise<Date | undefined> {
  const refuse = (kind: ProblemKind, reason: string, cause?: unknown) =>
    new LifeboatError('crypto', `${describe} ${reason}; ${recipientFix[kind]}`, { cause });
  const problem = await primaryKeyProblem(key, now);
  if (problem) throw refuse(problem.kind, problem.reason);
  let encryptionKey: Awaited<ReturnType<PublicKey['getEncryptionKey']>>;
  try {
    encryptionKey = await key.getEncryptionKey(undefined, now);
  } catch (err) {
    const { kind, reason } = await capabilityProblem(key, 'encrypt', now, err);
    throw refuse(kind, reason, err);
  }
  const chosen = chosenKeyProblem(key, encryptionKey, 'encrypt');
  if (chosen) throw refuse(chosen.kind, chosen.reason);
  const primaryExpiry = expiryDate(await key.getExpirationTime());
  return encryptionKey === key
    ? primaryExpiry
    : earliest(primaryExpiry, expiryDate(await encryptionKey.getExpirationTime(now)));
}

/**
 * Loads the recipients' public keys from files and directories (every
 * non-hidden regular file; a file may hold several keys) and refuses any key
 * that cannot be encrypted to at `now`.
 */
export async function loadRecipients(
  paths: readonly string[],
  options: { now?: Date } = {},
): Promise<LoadedRecipients> {
  const now = options.now ?? new Date();
  const found = await readKeys(paths, now);
  if (found.size === 0) {
    const where = paths.length === 0 ? 'no recipient key paths were given' : `none in ${paths.join(', ')}`;
    throw new LifeboatError(
      'config',
      `no recipient keys to encrypt to (${where}); add at least one public key`,
    );
  }
  const recipients: Recipient[] = [];
  const warnings: string[] = [];
  for (const [fingerprint, { key, source }] of found) {
    const userId = await primaryUserId(key);
    const describe = describeKey('recipient key', fingerprint, userId, source);
    const expires = await usableUntil(key, describe, now);
    if (expires && expires.getTime() - now.getTime() < expiryWarningDays * dayMs) {
      warnings.push(`${describe} expires on ${day(expires)}; ask its owner for a renewed key`);
    }
    recipients.push({ key, fingerprint, userId, expires, source });
  }
  return { recipients, warnings };
}
