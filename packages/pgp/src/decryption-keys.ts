// The private keys that open backups: an auditor's or on-call engineer's
// keys, never the cluster's. They stay locked until a message needs one, so
// a passphrase is asked for only for the key that matters.
import { LifeboatError } from '@lifeboat/core';
import type { Key, PrivateKey } from 'openpgp';
import { readArmoredKeys } from './armor.ts';
import { describeKey, fingerprintOf, primaryUserId } from './key-facts.ts';
import { listKeyFiles, readKeyFile } from './key-files.ts';

export interface DecryptionKey {
  /** Possibly still protected; decryptStream() unlocks it with `passphrase` when a message needs it. */
  key: PrivateKey;
  passphrase?: string | undefined;
  /** Where the key came from, for messages. */
  source?: string | undefined;
}

async function keysInFile(path: string): Promise<Key[]> {
  try {
    return await readArmoredKeys(await readKeyFile(path, 'private key file'));
  } catch (err) {
    if (err instanceof LifeboatError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new LifeboatError('crypto', `private key file ${path} is not a valid OpenPGP key (${detail})`, {
      cause: err,
    });
  }
}

/**
 * Loads every armored private key in the files and directories (as
 * `gpg --armor --export-secret-keys` writes them), each with `passphrase`.
 */
export async function loadDecryptionKeys(
  paths: readonly string[],
  options: { passphrase?: string | undefined } = {},
): Promise<DecryptionKey[]> {
  const loaded: DecryptionKey[] = [];
  for (const source of await listKeyFiles(paths, 'private key path')) {
    for (const key of await keysInFile(source)) {
      if (!key.isPrivate()) {
        const describe = describeKey('key', fingerprintOf(key), await primaryUserId(key), source);
        throw new LifeboatError(
          'crypto',
          `${describe} is a public key; decrypting needs the private key (gpg --armor --export-secret-keys)`,
        );
      }
      loaded.push({ key, passphrase: options.passphrase, source });
    }
  }
  if (loaded.length === 0) {
    throw new LifeboatError('config', `no private key found in ${paths.join(', ') || '(no paths given)'}`);
  }
  return loaded;
}
