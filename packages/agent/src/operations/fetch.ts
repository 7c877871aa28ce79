// `lifeboat fetch`: download, decrypt and extract one backup into a folder,
// as the first step of a restore. The payload's sha256 is checked against
// the metadata, the decryption's integrity check and signature must pass,
// and every file against the bundle's manifest; extraction goes to
// OUT.partial and is renamed to OUT only when all of that held.
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DigestStream, unpack } from '@lifeboat/bundle';
import { LifeboatError, serializeMetadata } from '@lifeboat/core';
import { type DecryptionKey, decryptStream } from '@lifeboat/pgp';
import type { BackupStore } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import { expectSigner, findBackup } from './find-backup.ts';

/** Where fetch leaves the backup's metadata inside OUT. */
export const fetchedMetadataFile = 'metadata.json';

export interface FetchOptions {
  store: BackupStore;
  id: string;
  cluster?: string;
  node?: string;
  privateKeys: readonly DecryptionKey[];
  verificationKeys?: readonly PublicKey[];
  out: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface FetchResult {
  out: string;
  id: string;
  cluster: string;
  node: string;
  files: number;
  bytes: number;
  signer?: string;
}

export async function fetchBackup(o: FetchOptions): Promise<FetchResult> {
  const { metadata } = await findBackup(o.store, o.id, {
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.node ? { node: o.node } : {}),
    ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
  });
  const out = resolve(o.out);
  const payload = await o.store.get(metadata.payload.key, o.signal ? { signal: o.signal } : {});
  const digest = new DigestStream();
  let read = 0;
  payload.on('data', (chunk: Buffer) => {
    read += chunk.length;
    o.onProgress?.(read, metadata.payload.size);
  });
  const decrypted = await decryptStream({
    input: payload.pipe(digest),
    privateKeys: o.privateKeys,
    ...(expectSigner(metadata.payload.signer, o) ? { expectedSigner: metadata.payload.signer } : {}),
    ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    name: metadata.payload.key,
  });
  decrypted.verified.catch(() => {});
  const extracted = await unpack(decrypted.data, {
    dest: out,
    compression: metadata.payload.compression,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    const result = await decrypted.verified;
    const d = await digest.digest;
    if (d.hex !== metadata.payload.sha256 || d.size !== metadata.payload.size) {
      throw new LifeboatError(
        'integrity',
        `${metadata.payload.key} is ${d.size} bytes with sha256 ${d.hex}; the metadata says ${metadata.payload.size} bytes, ${metadata.payload.sha256}`,
      );
    }
    // The metadata beside the bundle, so a restore plan made from this folder knows
    // the backup's time and etcd version (`lifeboat restore-plan --bundle OUT`).
    await writeFile(join(out, fetchedMetadataFile), serializeMetadata(metadata), { mode: 0o600 });
    return {
      out,
      id: metadata.id,
      cluster: metadata.cluster,
      node: metadata.node,
      files: extracted.files,
      bytes: extracted.bytes,
      ...(result.signer ? { signer: result.signer } : {}),
    };
  } catch (err) {
    await rm(out, { recursive: true, force: true });
    throw err;
  }
}
