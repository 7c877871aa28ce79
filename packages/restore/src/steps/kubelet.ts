// kubelet keeps its own view of pods and node status from before the restore.
import type { PlanStep } from '../plan-types.ts';

export function kubeletStep(): PlanStep {
  return {
    id: 'kubelet',
    title: 'Restart kubelet',
    why: 'kubelet caches pod and node state read from the old kube-apiserver; a restart makes it re-register and resync with the restored state, and picks up the returned manifests at once.',
    commands: ['systemctl restart kubelet', 'systemctl is-active kubelet'],
  };
}
