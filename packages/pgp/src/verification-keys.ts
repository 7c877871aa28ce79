// Public keys that may have signed a backup, for checking signatures only:
// no usability rules (an expired signer's old signatures still verify), just
// every key in the files and directories given, private ones reduced to
// their public halves.
import { LifeboatError } from '@lifeboat/core';
import type { PublicKey } from 'openpgp';
import { readArmoredKeys } from './armor.ts';
import { listKeyFiles, readKeyFile } from './key-files.ts';
import { publicKeyOf } from './public-key.ts';

export async function loadVerificationKeys(paths: readonly string[]): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const source of await listKeyFiles(paths, 'signer key path')) {
    const found = await readArmoredKeys(await readKeyFile(source, 'signer key'));
    if (found.length === 0) throw new LifeboatError('crypto', `${source} holds no OpenPGP key`);
    keys.push(...found.map((k) => publicKeyOf(k)));
  }
  return keys;
}
