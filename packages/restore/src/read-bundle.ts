// What a plan needs from a fetched backup folder (what `lifeboat fetch`
// extracts): the node's etcd.yaml, whether the snapshot carries its sha256
// trailer, and the certificates. The snapshot itself is not read: for a raw
// db, etcdutl's own rule decides (a trailer makes the size 32 past a multiple
// of 512), so the plan and etcdutl agree on --skip-hash-check.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LifeboatError } from '@lifeboat/core';
import type { ManifestInput } from './plan.ts';
import { type CertificateReport, scanCertificates } from './warnings/certificates.ts';

export interface BundleFacts {
  dir: string;
  manifest: ManifestInput;
  snapshot: string;
  /** No sha256 trailer: a raw member/snap/db. */
  raw: boolean;
  certificates: CertificateReport[];
}

const trailerSize = 32;

/** Whether etcdutl will look for a sha256 trailer in a file of this size. */
export function hasHashTrailer(size: number): boolean {
  return size % 512 === trailerSize;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LifeboatError(
      code === 'ENOENT' ? 'not-found' : 'io',
      `cannot read ${what} ${path}: ${code ?? (err as Error).message}`,
      { cause: err },
    );
  }
}

export async function readBundle(
  dir: string,
  options: { now: Date; snapshot?: string },
): Promise<BundleFacts> {
  const root = resolve(dir);
  const manifestPath = join(root, 'kubernetes/manifests/etcd.yaml');
  const text = await readText(
    manifestPath,
    "the backed-up etcd.yaml (is this a folder 'lifeboat fetch' wrote?)",
  );
  const snapshot = resolve(options.snapshot ?? join(root, 'etcd/snapshot.db'));
  const info = await stat(snapshot).catch((err: NodeJS.ErrnoException) => {
    throw new LifeboatError('not-found', `cannot read the snapshot ${snapshot}: ${err.code ?? err.message}`, {
      cause: err,
    });
  });
  if (!info.isFile()) throw new LifeboatError('usage', `the snapshot ${snapshot} is not a file`);
  return {
    dir: root,
    manifest: { text, source: manifestPath },
    snapshot,
    raw: !hasHashTrailer(info.size),
    certificates: await scanCertificates(join(root, 'kubernetes'), options.now),
  };
}
