// What a backup on this node would use to reach etcd, worked out from the
// kubeadm tree without contacting anything. The `discover` command prints it;
// backup will start from the same function.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LifeboatError } from '@lifeboat/core';
import { discoverConnection, type EtcdConnection, type Member, parseEtcdManifest } from '@lifeboat/etcd';

export { defaultKubernetesDir, kubernetesDirFrom } from '../kubernetes-dir.ts';

export interface EtcdDiscovery extends EtcdConnection {
  /** The etcd.yaml that was read. */
  manifest: string;
  memberName: string;
  dataDir: string;
  initialCluster: Member[];
  initialClusterState: 'new' | 'existing';
  image?: string;
}

export async function discoverEtcd(kubernetesDir: string): Promise<EtcdDiscovery> {
  const manifestPath = join(kubernetesDir, 'manifests', 'etcd.yaml');
  const text = await readManifest(manifestPath);
  const manifest = parseEtcdManifest(text, manifestPath);
  const connection = await discoverConnection(manifest, kubernetesDir);
  return {
    manifest: manifestPath,
    ...connection,
    memberName: manifest.name,
    dataDir: manifest.dataDir,
    initialCluster: manifest.initialCluster,
    initialClusterState: manifest.initialClusterState,
    ...(manifest.image ? { image: manifest.image } : {}),
  };
}

async function readManifest(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LifeboatError(
        'not-found',
        `${path} does not exist; point --kubernetes-dir (or LIFEBOAT_KUBERNETES_DIR) at the kubeadm directory that holds manifests/etcd.yaml`,
        { cause: err },
      );
    }
    if (code === 'EACCES') {
      throw new LifeboatError('io', `cannot read ${path}: permission denied; run as root on the node`, {
        cause: err,
      });
    }
    throw new LifeboatError('io', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
