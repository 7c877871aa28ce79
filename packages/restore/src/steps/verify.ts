// The restore is done when kube-apiserver answers from the restored data.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import type { StepContext } from './context.ts';

export function verifyStep(c: StepContext): PlanStep {
  const kubeconfig = `${c.plan.kubernetesDir}/admin.conf`;
  const kubectl = ['kubectl', '--kubeconfig', kubeconfig];
  return {
    id: 'verify',
    title: 'Check the cluster',
    why: 'kube-apiserver must report ready and list the nodes from the restored data. Nodes may show NotReady for a minute while kubelets resync.',
    commands: [
      [
        'if command -v kubectl >/dev/null 2>&1; then',
        `  retry 300 5 ${shellCommand([...kubectl, 'get', '--raw=/readyz'])} || fail ${q('kube-apiserver is not ready 5 minutes after it came back: check "crictl ps -a --name kube-apiserver" and its logs')}`,
        `  ${shellCommand([...kubectl, 'get', 'nodes', '-o', 'wide'])}`,
        'else',
        `  warn ${q(`kubectl not found: run "kubectl --kubeconfig ${kubeconfig} get nodes" where it is installed`)}`,
        'fi',
      ].join('\n'),
    ],
  };
}
