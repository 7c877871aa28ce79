// etcd refuses a data dir others can read (it warns and, for the member dir,
// fixes it), and a non-root etcd needs to own it: match the old dir.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import type { StepContext } from './context.ts';

export function ownershipStep(c: StepContext): PlanStep {
  const dir = c.member.dataDir;
  const old = c.member.oldDataDir;
  return {
    id: 'ownership',
    title: 'Ownership and permissions of the data dir',
    why: `etcd expects its data dir to be private (0700). It gets the owner of the old data dir ${old}: root on kubeadm nodes, the etcd user where etcd runs unprivileged.`,
    commands: [
      shellCommand(['chmod', '0700', dir]),
      `if [[ -d ${q(old)} ]]; then ${shellCommand(['chown', '-R', `--reference=${old}`, dir])}; fi`,
      shellCommand(['ls', '-ld', dir]),
    ],
  };
}
