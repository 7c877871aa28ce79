// The one command that makes the new data dir. Every member runs it on the same
// snapshot with the same --initial-cluster and token, and its own name and peer
// URL: that is what makes them one new cluster rather than strangers.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import type { StepContext } from './context.ts';

/** Why the default bump is a billion, in one place for the runbook and the docs. */
export const bumpWhy =
  'Revisions must never go backwards: kube-apiserver hands them out as resourceVersions, and informers, watch caches and controllers remember the last one they saw. A restored etcd would otherwise reuse revisions clients already saw, with different objects behind them, and they would miss or misorder changes without noticing. --bump-revision moves the restored revision past anything written since the backup (1,000,000,000 is more than a day of 10,000 writes per second), and --mark-compacted compacts at that revision so every watch from an older resourceVersion fails with "compacted" and relists instead of being served stale data.';

export function restoreArgv(c: StepContext): string[] {
  return [
    'etcdutl',
    'snapshot',
    'restore',
    c.plan.snapshot,
    '--name',
    c.member.name,
    '--initial-cluster',
    c.plan.initialCluster,
    '--initial-cluster-token',
    c.plan.token,
    '--initial-advertise-peer-urls',
    c.member.peerUrl,
    '--data-dir',
    c.member.dataDir,
    ...(c.plan.bumpRevision > 0 ? ['--bump-revision', String(c.plan.bumpRevision), '--mark-compacted'] : []),
    ...(c.plan.skipHashCheck ? ['--skip-hash-check'] : []),
  ];
}

export function restoreStep(c: StepContext): PlanStep {
  const commands = [shellCommand(restoreArgv(c))];
  if (c.plan.skipHashCheck)
    commands.unshift(`warn ${q('restoring WITHOUT the integrity check (--skip-hash-check)')}`);
  return {
    id: 'restore',
    title: `Restore the snapshot into ${c.member.dataDir}`,
    why: `etcdutl writes a fresh data dir for member ${c.member.name} of a new cluster (${c.plan.memberNames.join(', ')}), with a new cluster id and the token ${c.plan.token}, so no member of the old cluster can join it by mistake. The old data dir is left untouched. ${c.plan.bumpRevision > 0 ? bumpWhy : 'No revision bump: clients that watched before the restore may see revisions go backwards.'}`,
    commands,
  };
}
