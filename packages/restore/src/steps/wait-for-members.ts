// With several members, no restored etcd may start while another node still
// runs the old control plane: that node's kube-apiserver would keep writing to
// the old cluster, and clients would see two histories.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import { type StepContext, scriptName } from './context.ts';

export function waitForMembersStep(c: StepContext): PlanStep | undefined {
  const others = c.plan.memberNames.filter((n) => n !== c.member.name);
  if (others.length === 0) return undefined;
  const scripts = others.map(scriptName).join(', ');
  return {
    id: 'wait-for-members',
    title: 'Wait until every member is restored',
    why: `Every node must have stopped its control plane and restored its data dir before etcd starts anywhere: a kube-apiserver still running on another node would keep writing to the old cluster. Set LIFEBOAT_ALL_RESTORED=yes to skip the question when you drive the nodes yourself.`,
    commands: [
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash default expansion, not a template
        'answer=${LIFEBOAT_ALL_RESTORED:-}',
        'until [[ $answer == yes ]]; do',
        `  read -r -p ${q(`Has ${scripts} reached this step on every other node? Type yes: `)} answer`,
        'done',
      ].join('\n'),
    ],
  };
}
