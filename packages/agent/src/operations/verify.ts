// `lifeboat verify`: is this backup what its metadata says, and can it be
// restored? Without a key: the metadata parses, its signature holds (given
// the signer's public key), and the payload's size and sha256 match — what an
// auditor checks with sha256sum and gpg --verify. With a private key, also:
// the payload decrypts with a valid integrity check and the expected
// signature, the bundle matches its manifest file by file, and the inner
// snapshot's trailer matches the metadata and reads as a sound bbolt database
// (its `snapshot status` is reported).
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DigestStream, readBundle, snapshotPath } from '@lifeboat/bundle';
import { FileSink, LifeboatError } from '@lifeboat/core';
import { type SnapshotStatus, snapshotStatus } from '@lifeboat/etcd';
import { type DecryptionKey, decryptStream } from '@lifeboat/pgp';
import type { BackupStore } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import { expectSigner, type FoundBackup, findBackup } from './find-backup.ts';

export interface VerifyOptions {
  store: BackupStore;
  id: string;
  cluster?: string;
  node?: string;
  /** Decrypt and check the contents too. */
  privateKeys?: readonly DecryptionKey[];
  /** Public keys that may have signed the metadata and payload. */
  verificationKeys?: readonly PublicKey[];
  signal?: AbortSignal;
  /** Bytes of payload read so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  id: string;
  cluster: string;
  node: string;
  ok: boolean;
  checks: Check[];
  snapshot?: SnapshotStatus;
}

export async function verifyBackup(o: VerifyOptions): Promise<VerifyReport> {
  const found: FoundBackup = await findBackup(o.store, o.id, {
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.node ? { node: o.node } : {}),
    ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
  });
  const { metadata, entry } = found;
  const checks: Check[] = [{ name: 'metadata', ok: true, detail: `${entry.metadata!.key} is valid` }];
  checks.push(
    found.metadataSigner
      ? { name: 'metadata signature', ok: true, detail: `good signature by ${found.metadataSigner}` }
      : { name: 'metadata signature', ok: true, detail: found.signatureNote ?? 'not signed' },
  );
  const report: VerifyReport = {
    id: metadata.id,
    cluster: metadata.cluster,
    node: metadata.node,
    ok: false,
    checks,
  };
  const scratch = o.privateKeys?.length ? await mkdtemp(join(tmpdir(), 'lifeboat-verify-')) : undefined;
  try {
    const payload = await o.store.get(metadata.payload.key, o.signal ? { signal: o.signal } : {});
    const digest = new DigestStream();
    let read = 0;
    if (!scratch) {
      await pipeline(
        payload,
        digest,
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) {
            read += chunk.length;
            o.onProgress?.(read, metadata.payload.size);
          }
        },
        ...(o.signal ? [{ signal: o.signal }] : []),
      );
    } else {
      const snapshotFile = join(scratch, 'snapshot.db');
      const decrypted = await decryptStream({
        input: payload.pipe(digest),
        privateKeys: o.privateKeys!,
        ...(expectSigner(metadata.payload.signer, o) ? { expectedSigner: metadata.payload.signer } : {}),
        ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        name: metadata.payload.key,
      });
      payload.on('data', (chunk: Buffer) => {
        read += chunk.length;
        o.onProgress?.(read, metadata.payload.size);
      });
      const summary = await readBundle(
        decrypted.data,
        { compression: metadata.payload.compression, ...(o.signal ? { signal: o.signal } : {}) },
        async (header, body) => {
          if (header.path !== snapshotPath) {
            body.resume();
            return;
          }
          const file = await open(snapshotFile, 'wx', 0o600);
          try {
            await pipeline(body, new FileSink(file));
          } finally {
            await file.close();
          }
        },
      );
      const result = await decrypted.verified;
      const signed = expectSigner(metadata.payload.signer, o);
      checks.push({
        name: 'decryption',
        ok: true,
        detail: `integrity check passed${
          signed
            ? `; payload signed by ${result.signer}`
            : metadata.payload.signer
              ? `; payload signature by ${metadata.payload.signer} not checked (pass --signer-key)`
              : ''
        }`,
      });
      checks.push({
        name: 'bundle',
        ok: true,
        detail: `${summary.files} files match lifeboat/manifest.json`,
      });
      const status = await snapshotStatus(snapshotFile, o.signal ? { signal: o.signal } : {});
      report.snapshot = status;
      const trailer = await readTrailer(snapshotFile);
      const trailerOk = trailer === metadata.etcd.snapshotSha256;
      checks.push({
        name: 'snapshot',
        ok: trailerOk && status.revision >= metadata.etcd.revision,
        detail: trailerOk
          ? `revision ${status.revision}, ${status.totalKey} keys, hash ${status.hash}; sha256 trailer matches the metadata`
          : `sha256 trailer ${trailer} differs from the metadata's ${metadata.etcd.snapshotSha256}`,
      });
    }
    const d = await digest.digest;
    const sizeOk = d.size === metadata.payload.size;
    const shaOk = d.hex === metadata.payload.sha256;
    checks.splice(2, 0, {
      name: 'payload checksum',
      ok: sizeOk && shaOk,
      detail:
        sizeOk && shaOk
          ? `${d.size} bytes, sha256 ${d.hex} as in the metadata`
          : `payload is ${d.size} bytes with sha256 ${d.hex}; the metadata says ${metadata.payload.size} bytes, ${metadata.payload.sha256}`,
    });
  } catch (err) {
    if (err instanceof LifeboatError)
      checks.push({ name: 'contents', ok: false, detail: `${err.code}: ${err.message}` });
    else throw err;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  report.ok = checks.every((c) => c.ok);
  return report;
}

async function readTrailer(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(32);
    await handle.read(buf, 0, 32, size - 32);
    return buf.toString('hex');
  } finally {
    await handle.close();
  }
}
