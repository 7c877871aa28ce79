// What is left behind, on purpose, and what to clean up.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import type { StepContext } from './context.ts';

export function finishStep(c: StepContext): PlanStep {
  const notes = [
    `the old data dir is untouched at ${c.member.oldDataDir}: remove it once the cluster is confirmed good`,
    `${c.plan.source.bundleDir} holds CA private keys and every Secret: delete it when done (rm -rf)`,
    'workloads with their own watches (operators, CNI, ingress controllers) relist after the compaction; restart any that misbehave',
  ];
  return {
    id: 'finish',
    title: 'Done: what is left behind',
    why: 'Nothing is deleted by the script, so every step can be undone until you decide the restore is good.',
    commands: [
      `echo ${q(`restore of member ${c.member.name} finished`)}`,
      'echo "  - the original static-pod manifests are in $ASIDE"',
      ...notes.map((note) => `echo ${q(`  - ${note}`)}`),
    ],
  };
}
