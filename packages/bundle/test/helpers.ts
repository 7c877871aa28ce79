// Shared test fixtures: a kubeadm-shaped /etc/kubernetes, an independent
// description of a directory tree to compare against, GNU tar, stream sinks.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

export async function tempDir(
  prefix = 'bundle-test-',
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A 150-byte file name (ustar's name field holds 100: needs pax, or a prefix split). */
export const longName = `${'very-long-name-'.repeat(9)}12345.yaml`;

/**
 * A kubeadm-like /etc/kubernetes: 0600 keys, 0644 certs, nested pki/etcd,
 * static-pod manifests, a symlink, an empty file, a long name, a 0750 dir.
 */
export async function kubeadmTree(root: string): Promise<void> {
  const file = async (path: string, data: Buffer | string, mode: number) => {
    await writeFile(join(root, path), data);
    await chmod(join(root, path), mode);
  };
  await mkdir(join(root, 'pki/etcd'), { recursive: true });
  await mkdir(join(root, 'manifests'), { recursive: true });
  await mkdir(join(root, 'tmp'), { recursive: true });
  await chmod(join(root, 'tmp'), 0o750);
  for (const name of ['ca', 'apiserver', 'apiserver-etcd-client', 'front-proxy-ca']) {
    await file(`pki/${name}.crt`, pem('CERTIFICATE', 1200), 0o644);
    await file(`pki/${name}.key`, pem('RSA PRIVATE KEY', 1700), 0o600);
  }
  for (const name of ['ca', 'server', 'peer', 'healthcheck-client']) {
    await file(`pki/etcd/${name}.crt`, pem('CERTIFICATE', 1100), 0o644);
    await file(`pki/etcd/${name}.key`, pem('RSA PRIVATE KEY', 1700), 0o600);
  }
  await file('pki/sa.key', pem('RSA PRIVATE KEY', 1700), 0o600);
  await file('pki/sa.pub', pem('PUBLIC KEY', 450), 0o600);
  for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    await file(`manifests/${name}.yaml`, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`, 0o600);
  }
  for (const name of ['admin', 'controller-manager', 'scheduler', 'kubelet', 'super-admin']) {
    await file(
      `${name}.conf`,
      `apiVersion: v1\nkind: Config\nclusters: []\n# ${randomBytes(600).toString('base64')}\n`,
      0o600,
    );
  }
  await file(`manifests/${longName}`, 'kind: Pod\n', 0o644);
  await file('tmp/empty', '', 0o640);
  await symlink('pki/ca.crt', join(root, 'ca-link.crt'));
}

function pem(label: string, bytes: number): string {
  const body = randomBytes(bytes)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export interface Described {
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  sha256?: string;
  size?: number;
  target?: string;
}

/** Every entry under `root` (not itself), by relative path: written independently of the code under test. */
export function describeTree(root: string): Record<string, Described> {
  const out: Record<string, Described> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, name);
      const st = lstatSync(full);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out[path] = { type: 'directory', mode };
        walk(full, path);
      } else if (st.isSymbolicLink()) {
        out[path] = { type: 'symlink', mode: 0o777, target: readlinkSync(full) };
      } else {
        const data = readFileSync(full);
        out[path] = { type: 'file', mode, size: data.length, sha256: sha256(data) };
      }
    }
  };
  walk(root, '');
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Collects a stream into memory (tests only: archives here are a few MiB). */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A Readable of `data` cut into chunks of `size` (so entry boundaries fall inside chunks). */
export function chunked(data: Buffer, size = 7777): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks);
}

/** A snapshot-like stream: deterministic bytes, `size` in total, in 64 KiB chunks. */
export function snapshotStream(size: number, seed = 1): { stream: Readable; data: Buffer } {
  const data = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = i % 4096 < 3000 ? x >>> 24 : 0;
  }
  return { stream: chunked(data, 65536), data };
}

/** A sink that drops data (and counts it). */
export function nullSink(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

/**
 * A large snapshot-like stream generated on the fly (never held in memory):
 * 64 KiB chunks, part random (like keys and certificates), part text (like
 * manifests and ConfigMaps), so compression does real work.
 */
export function generatedSnapshot(size: number): Readable {
  const text = Buffer.from(
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%\n  namespace: team-07\ndata:\n  config.yaml: |\n    replicas: 3\n'.repeat(
      800,
    ),
  );
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(65536, size - produced);
      const chunk = Buffer.allocUnsafe(length);
      const random = Math.floor(length * 0.3);
      randomFillSync(chunk, 0, random);
      text.copy(chunk, random, (produced / 65536) % 1000, ((produced / 65536) % 1000) + length - random);
      produced += length;
      this.push(chunk);
    },
  });
}

/** Damages one byte in place. */
export function flip(data: Buffer, at: number, mask = 0x01): void {
  data[at] = data[at]! ^ mask;
}
