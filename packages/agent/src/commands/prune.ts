import { LifeboatError } from '@lifeboat/core';
import { defineCommand, noPositionals } from '../command.ts';
import { backupFields } from '../config/fields.ts';
import { configFlag, configFlagValues, flagsFor, pick } from '../config/flags.ts';
import { loadSettings } from '../config/load.ts';
import type { Io } from '../io.ts';
import { storeFromSettings } from '../operations/open-store.ts';
import { policyFromSettings } from '../operations/policy.ts';
import { runPrune } from '../operations/prune.ts';
import { json, outputFormat } from '../output.ts';

const fields = pick(backupFields, [
  'store',
  'cluster',
  'node',
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
  'incomplete-grace',
  'restic-password-file',
  'dry-run',
]);

export interface PruneArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  config?: string;
  output: 'table' | 'json';
}

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

export const pruneCommand = defineCommand<PruneArgs>({
  name: 'prune',
  summary: 'apply a retention policy to a store',
  usage: '--store URL --keep-daily N … [--dry-run]',
  description: [
    'Keeps, per cluster and node, the newest N backups (--keep-last) and the newest backup of each of the',
    'newest N hours, days, ISO weeks, months and years that have one; deletes the other complete backups.',
    'The newest complete backup is never deleted. Incomplete backups (payload without metadata) are',
    'deleted once older than --incomplete-grace. Deletion removes the metadata first, so an interrupted',
    'prune never leaves a backup that looks complete. Objects the store refuses to delete (S3 Object Lock)',
    'are reported and skipped. --dry-run prints the plan and deletes nothing.',
  ].join('\n'),
  flags: {
    config: configFlag,
    ...flagsFor(fields),
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: ['lifeboat prune --store s3://backups/etcd --keep-daily 7 --keep-weekly 4 --dry-run'],
  args: (values, positionals, env) => {
    noPositionals('prune', positionals);
    const config = (values['config'] as string | undefined) ?? env['LIFEBOAT_CONFIG'];
    return {
      flags: configFlagValues(fields, values),
      ...(config ? { config } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: prune,
});
