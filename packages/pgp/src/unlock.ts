// Private keys are usually stored protected by a passphrase. "Missing" and
// "wrong" passphrase need different fixes, so they get different messages.
import { LifeboatError } from '@lifeboat/core';
import { decryptKey, type PrivateKey } from 'openpgp';

/**
 * Returns the key ready for use: as is when it is not protected, otherwise
 * decrypted with `passphrase`. `describe` names the key in messages.
 */
export async function unlockKey(
  key: PrivateKey,
  passphrase: string | undefined,
  describe: string,
): Promise<PrivateKey> {
  if (key.isDecrypted()) return key;
  if (!passphrase) {
    throw new LifeboatError('crypto', `${describe} is protected by a passphrase, but none was given`);
  }
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const wrong = /incorrect key passphrase/i.test(detail);
    throw new LifeboatError(
      'crypto',
      wrong ? `wrong passphrase for ${describe}` : `${describe} could not be decrypted (${detail})`,
      { cause: err },
    );
  }
}
