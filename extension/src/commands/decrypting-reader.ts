// What every command that decrypts a backup needs first: the user's private
// keys (asked for as needed), the store, the keys signatures are checked
// against, and which backup — the shape the agent's fetch/verify take.
import type { DecryptionKey } from '@lifeboat/pgp';
import type { BackupStore } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import type { Services } from './command.ts';

export interface DecryptingReader {
  store: BackupStore;
  id: string;
  cluster: string;
  node: string;
  privateKeys: DecryptionKey[];
  verificationKeys: PublicKey[];
}

/** Undefined when the user backed out of choosing a key or typing its passphrase. */
export async function decryptingReader(
  s: Services,
  where: { sourceUrl: string; cluster: string; node: string; id: string },
  purpose: string,
): Promise<DecryptingReader | undefined> {
  const chosen = await s.keys.decryptionKeys(purpose);
  if (!chosen) return undefined;
  return {
    store: await s.stores.open(where.sourceUrl),
    id: where.id,
    cluster: where.cluster,
    node: where.node,
    privateKeys: chosen.keys,
    verificationKeys: await s.keys.allVerificationKeys(chosen.keys),
  };
}
