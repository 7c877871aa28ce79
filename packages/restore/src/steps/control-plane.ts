// The rest of the static pods come back once etcd serves: kube-apiserver,
// then kube-controller-manager and kube-scheduler, each started afresh by
// kubelet, so none keeps a cache from before the restore.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import { manifestsDir, type StepContext } from './context.ts';

export function controlPlaneStep(c: StepContext): PlanStep {
  return {
    id: 'control-plane',
    title: 'Bring back kube-apiserver, kube-controller-manager and kube-scheduler',
    why: 'With etcd healthy, the other static-pod manifests return; kubelet starts new pods, so kube-controller-manager and kube-scheduler restart with empty caches and relist everything from the restored data. The original etcd.yaml stays in $ASIDE as a record.',
    commands: [
      [
        'for manifest in "$ASIDE"/*.yaml; do',
        `  [[ $(basename -- "$manifest") == etcd.yaml ]] || mv -- "$manifest" ${q(manifestsDir(c))}/`,
        'done',
      ].join('\n'),
      `ls -l ${q(manifestsDir(c))}`,
    ],
  };
}
