// What `lifeboat prune` does once its flags are parsed; loaded on demand (see ../prune.ts).
import { LifeboatError } from '@lifeboat/core';
import { loadSettings } from '../../config/load.ts';
import type { Io } from '../../io.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { policyFromSettings } from '../../operations/policy.ts';
import { runPrune } from '../../operations/prune.ts';
import { json } from '../../output.ts';
import { pruneSettings as fields, type PruneArgs } from '../prune.ts';

export async function prune(args: PruneArgs, io: Io): Promise<number> {
  const settings = await loadSettings(fields, {
    flags: args.flags,
    env: io.env,
    ...(args.config ? { file: args.config } : {}),
  });
  const policy = policyFromSettings(settings);
  if (!policy) {
    throw new LifeboatError(
      'usage',
      'no retention rule: set at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly',
    );
  }
  const store = await storeFromSettings(settings, io.env);
  const dryRun = settings['dry-run'] === true;
  const cluster = settings['cluster'] as string | undefined;
  const node = settings['node'] as string | undefined;
  const result = await runPrune({
    store,
    policy,
    dryRun,
    ...(cluster ? { cluster } : {}),
    ...(node ? { node } : {}),
  });
  const describe = (items: { backup: { cluster: string; node: string; id: string }; reasons: string[] }[]) =>
    items.map((i) => ({
      cluster: i.backup.cluster,
      node: i.backup.node,
      id: i.backup.id,
      reasons: i.reasons,
    }));
  if (args.output === 'json') {
    io.stdout(
      json({
        dryRun,
        keep: describe(result.plan.keep),
        delete: describe(result.plan.delete),
        deleted: result.deleted.map((b) => b.id),
        refused: result.refused.map((r) => ({ id: r.backup.id, reason: r.reason })),
      }),
    );
  } else {
    for (const i of result.plan.keep)
      io.stdout(`keep    ${i.backup.cluster}/${i.backup.node}/${i.backup.id}  ${i.reasons.join(', ')}\n`);
    for (const i of result.plan.delete) {
      const refused = result.refused.find((r) => r.backup === i.backup);
      const verb = dryRun ? 'would delete' : refused ? 'REFUSED' : 'deleted';
      io.stdout(
        `${verb.padEnd(7)} ${i.backup.cluster}/${i.backup.node}/${i.backup.id}  ${refused ? refused.reason : i.reasons.join(', ')}\n`,
      );
    }
  }
  // Refusals (e.g. Object Lock) are reported, not fatal: the rest was pruned.
  return 0;
}
