// Keys for reading backups: private keys (with an optional passphrase from a
// file or LIFEBOAT_KEY_PASSPHRASE) and the public keys signatures are checked
// against (given signer keys, plus the public halves of the private keys).
import { readFile } from 'node:fs/promises';
import { LifeboatError } from '@lifeboat/core';
import { type DecryptionKey, loadDecryptionKeys, loadVerificationKeys, publicKeyOf } from '@lifeboat/pgp';
import type { PublicKey } from 'openpgp';

export interface ReaderKeys {
  privateKeys: DecryptionKey[];
  verificationKeys: PublicKey[];
}

export async function readerKeys(
  o: { keys: string[]; passphraseFile?: string; signerKeys: string[] },
  env: Readonly<Record<string, string | undefined>>,
): Promise<ReaderKeys> {
  let passphrase = env['LIFEBOAT_KEY_PASSPHRASE'];
  if (o.passphraseFile) {
    passphrase = await readFile(o.passphraseFile, 'utf8').then(
      (t) => t.replace(/\r?\n$/, ''),
      (err: NodeJS.ErrnoException) => {
        throw new LifeboatError(
          'config',
          `cannot read --passphrase-file ${o.passphraseFile}: ${err.code ?? err.message}`,
        );
      },
    );
  }
  const privateKeys = o.keys.length ? await loadDecryptionKeys(o.keys, { passphrase }) : [];
  const verificationKeys = [
    ...(o.signerKeys.length ? await loadVerificationKeys(o.signerKeys) : []),
    ...privateKeys.map((k) => publicKeyOf(k.key)),
  ];
  return { privateKeys, verificationKeys };
}
