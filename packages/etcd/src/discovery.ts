// Where and how to reach the local etcd, derived from a kubeadm node's
// /etc/kubernetes the way an admin would: the client URL from etcd.yaml
// (loopback first, since the agent runs with hostNetwork on that node), the
// etcd CA, and a client certificate kubeadm issued for talking to etcd.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { LifeboatError } from '@lifeboat/core';
import type { EtcdManifest } from './manifest.ts';

export interface EtcdConnection {
  endpoints: string[];
  cacert: string;
  cert: string;
  key: string;
}

/** kubeadm's client certificates that etcd accepts, best first. */
export const clientCertCandidates = ['pki/etcd/healthcheck-client', 'pki/apiserver-etcd-client'] as const;

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Client URLs to dial, loopback first; wildcard listeners become loopback. */
export function clientEndpoints(manifest: EtcdManifest): string[] {
  const urls = [...manifest.listenClientUrls, ...manifest.advertiseClientUrls].map((raw) => {
    const url = new URL(raw);
    if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
    if (url.hostname === '[::]') url.hostname = '[::1]';
    return url.origin;
  });
  const unique = [...new Set(urls)];
  return [
    ...unique.filter((u) => loopbackHosts.has(new URL(u).hostname)),
    ...unique.filter((u) => !loopbackHosts.has(new URL(u).hostname)),
  ];
}

/**
 * Maps a path the manifest names (under /etc/kubernetes on the host) into the
 * tree we can actually read, which is mounted elsewhere in a container or test.
 */
export function hostPath(path: string, kubernetesDir: string): string {
  const prefix = '/etc/kubernetes/';
  return path.startsWith(prefix) ? join(kubernetesDir, path.slice(prefix.length)) : path;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function discoverConnection(
  manifest: EtcdManifest,
  kubernetesDir: string,
): Promise<EtcdConnection> {
  const endpoints = clientEndpoints(manifest);
  if (endpoints.length === 0) {
    throw new LifeboatError(
      'config',
      'etcd.yaml has no --listen-client-urls or --advertise-client-urls; pass --endpoints',
    );
  }
  const cacert = hostPath(manifest.trustedCaFile ?? '/etc/kubernetes/pki/etcd/ca.crt', kubernetesDir);
  for (const base of clientCertCandidates) {
    const cert = join(kubernetesDir, `${base}.crt`);
    const key = join(kubernetesDir, `${base}.key`);
    if ((await exists(cert)) && (await exists(key))) return { endpoints, cacert, cert, key };
  }
  throw new LifeboatError(
    'config',
    `no etcd client certificate in ${kubernetesDir} (looked for ${clientCertCandidates.map((c) => `${c}.{crt,key}`).join(' and ')}); pass --cert and --key`,
  );
}
