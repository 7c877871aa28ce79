// Test doubles: an in-memory Io, and a kubeadm-shaped /etc/kubernetes in a temp dir.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Io } from '../src/index.ts';

export interface MemoryIo extends Io {
  out: () => string;
  err: () => string;
}

export function memoryIo(env: Record<string, string> = {}): MemoryIo {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env,
    out: () => out,
    err: () => err,
  };
}

export const etcdFixture = join(import.meta.dirname, '../../etcd/test/fixtures/kubeadm-etcd.yaml');

/** A temp dir laid out like kubeadm's /etc/kubernetes, with fake certificate files. */
export async function kubeadmTree(
  certs: readonly string[] = [
    'pki/etcd/ca.crt',
    'pki/etcd/healthcheck-client.crt',
    'pki/etcd/healthcheck-client.key',
  ],
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'lifeboat-agent-'));
  await mkdir(join(root, 'manifests'));
  await copyFile(etcdFixture, join(root, 'manifests', 'etcd.yaml'));
  for (const cert of certs) {
    await mkdir(dirname(join(root, cert)), { recursive: true });
    await writeFile(join(root, cert), `fake ${cert}\n`);
  }
  return root;
}
