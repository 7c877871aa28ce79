// Where the kubeadm tree is: cheap on purpose, because command definitions
// (flags and help, loaded on every start) need it.
import { resolve } from 'node:path';

export const defaultKubernetesDir = '/etc/kubernetes';

/** The kubeadm tree to read: the flag, else $LIFEBOAT_KUBERNETES_DIR, else /etc/kubernetes. */
export function kubernetesDirFrom(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return resolve(flag || env['LIFEBOAT_KUBERNETES_DIR'] || defaultKubernetesDir);
}
