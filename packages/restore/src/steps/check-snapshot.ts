// Reads the snapshot once before the cluster goes down: a damaged file fails
// here, while the old control plane still serves.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import type { StepContext } from './context.ts';

export const rawSnapshotBanner =
  'THIS SNAPSHOT HAS NO SHA256 TRAILER (a raw member/snap/db): it is restored with --skip-hash-check, and NOTHING checks its integrity. A db copied while etcd was running may be inconsistent.';

export function checkSnapshotStep(c: StepContext): PlanStep {
  const commands = [shellCommand(['etcdutl', 'snapshot', 'status', c.plan.snapshot, '-w', 'table'])];
  if (c.plan.skipHashCheck) commands.unshift(`warn ${q(rawSnapshotBanner)}`);
  const revision = c.plan.backup.revision;
  return {
    id: 'check-snapshot',
    title: 'Check the snapshot',
    why: `etcdutl reads the whole database (bbolt structure, revision, key count) before anything is stopped.${revision !== undefined ? ` The revision it prints should be at least ${revision}, what etcd reported when the backup was taken.` : ''}`,
    commands,
  };
}
