// Finding one backup by id (and, when ids repeat across nodes, cluster and
// node), with its metadata read, validated and — when a key is at hand —
// its detached signature checked.
import { type BackupMetadata, LifeboatError, parseBackupId } from '@lifeboat/core';
import { fingerprintOf, verifyDetached } from '@lifeboat/pgp';
import { type BackupStore, type CatalogEntry, catalog } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import { readMetadata, readText } from './list.ts';

export interface FoundBackup {
  entry: CatalogEntry;
  metadata: BackupMetadata;
  /** The metadata's signer, when its signature was verified; undefined when not signed or not checkable. */
  metadataSigner?: string;
  /** Why the signature was not checked, if it was not. */
  signatureNote?: string;
}

export async function findBackup(
  store: BackupStore,
  id: string,
  filter: { cluster?: string; node?: string; verificationKeys?: readonly PublicKey[] } = {},
): Promise<FoundBackup> {
  parseBackupId(id);
  const prefix = filter.cluster ? `${filter.cluster}/${filter.node ? `${filter.node}/` : ''}` : '';
  const matches = (await catalog(store.list(prefix))).filter(
    (e) =>
      e.id === id &&
      (!filter.cluster || e.cluster === filter.cluster) &&
      (!filter.node || e.node === filter.node),
  );
  if (matches.length === 0)
    throw new LifeboatError('not-found', `no backup ${id} in ${store.location}; see "lifeboat list"`);
  if (matches.length > 1) {
    const where = matches.map((m) => `${m.cluster}/${m.node}`).join(', ');
    throw new LifeboatError(
      'usage',
      `backup id ${id} exists for ${where}; pick one with --cluster and --node`,
    );
  }
  const entry = matches[0]!;
  if (!entry.metadata) {
    throw new LifeboatError(
      'integrity',
      `backup ${id} of ${entry.cluster}/${entry.node} is incomplete (no metadata): it never finished and cannot be restored`,
    );
  }
  if (!entry.payload)
    throw new LifeboatError('integrity', `backup ${id} has metadata but its payload is missing`);
  const metadata = await readMetadata(store, entry.metadata.key);
  const found: FoundBackup = { entry, metadata };
  if (entry.signature) {
    const keys = filter.verificationKeys ?? [];
    const signer = metadata.payload.signer;
    if (keys.length === 0 || (signer && !hasKey(keys, signer))) {
      found.signatureNote = `signed${signer ? ` by ${signer}` : ''}, not checked: pass that key's public half with --signer-key`;
    } else {
      const signature = await readText(store, entry.signature.key);
      const bytes = Buffer.from(await readText(store, entry.metadata.key), 'utf8');
      found.metadataSigner = (
        await verifyDetached(bytes, signature, keys, { name: entry.metadata.key })
      ).signer;
      if (metadata.payload.signer && found.metadataSigner !== metadata.payload.signer) {
        throw new LifeboatError(
          'crypto',
          `${entry.metadata.key} is signed by ${found.metadataSigner}, but names ${metadata.payload.signer} as its signer`,
        );
      }
    }
  } else if (metadata.payload.signer) {
    throw new LifeboatError(
      'crypto',
      `${entry.metadata.key} names signer ${metadata.payload.signer} but its signature ${entry.metadata.key}.asc is missing`,
    );
  }
  return found;
}

/** Whether one of the keys has this fingerprint (primary key). */
export function hasKey(keys: readonly PublicKey[], fingerprint: string): boolean {
  return keys.some((k) => fingerprintOf(k) === fingerprint);
}

/**
 * Whether decryption should insist on the payload signature of `signer`:
 * when its public key is at hand (given, or the public half of a private key).
 * Without it the signature cannot be checked, and the report says so.
 */
export function expectSigner(
  signer: string | undefined,
  o: {
    verificationKeys?: readonly PublicKey[];
    privateKeys?: readonly { key: { getFingerprint(): string } }[];
  },
): signer is string {
  if (!signer) return false;
  if (o.verificationKeys && hasKey(o.verificationKeys, signer)) return true;
  return (o.privateKeys ?? []).some((k) => k.key.getFingerprint().toUpperCase() === signer);
}
