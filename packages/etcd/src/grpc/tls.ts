// The TLS files etcdctl takes as --cacert, --cert and --key, read and checked
// before any connection, so a wrong path or a key that belongs to another
// certificate is named as such instead of surfacing as a handshake failure.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { LifeboatError } from '@lifeboat/core';

export interface TlsFiles {
  /** CA bundle that signs etcd's server certificate (kubeadm: pki/etcd/ca.crt). */
  cacert?: string;
  /** Client certificate and key etcd accepts (kubeadm: pki/etcd/healthcheck-client.{crt,key}). */
  cert?: string;
  key?: string;
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  files: TlsFiles;
}

async function read(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LifeboatError('not-found', `${flag} ${path} does not exist`, { cause: err });
    }
    if (code === 'EACCES') {
      throw new LifeboatError(
        'io',
        `cannot read ${flag} ${path}: permission denied; run as root on the node`,
        {
          cause: err,
        },
      );
    }
    throw new LifeboatError('io', `cannot read ${flag} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function checkCertificate(pem: Buffer, flag: string, path: string): void {
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new LifeboatError('config', `${flag} ${path} is not a PEM certificate`, { cause: err });
  }
}

export async function loadTls(files: TlsFiles): Promise<TlsMaterial> {
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new LifeboatError('usage', '--cert and --key go together: pass both or neither');
  }
  const material: TlsMaterial = { files };
  if (files.cacert) {
    material.ca = await read(files.cacert, '--cacert');
    checkCertificate(material.ca, '--cacert', files.cacert);
  }
  if (files.cert && files.key) {
    material.cert = await read(files.cert, '--cert');
    material.key = await read(files.key, '--key');
    checkCertificate(material.cert, '--cert', files.cert);
    try {
      createSecureContext({ cert: material.cert, key: material.key });
    } catch (err) {
      const mismatch = /key values mismatch/i.test((err as Error).message);
      throw new LifeboatError(
        'config',
        mismatch
          ? `--key ${files.key} is not the key of --cert ${files.cert}`
          : `--cert ${files.cert} / --key ${files.key} cannot be used: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return material;
}
