import { defineCommand, noPositionals } from '../command.ts';
import { backupFields } from '../config/fields.ts';
import { configFlag, configFlagValues, flagsFor, pick } from '../config/flags.ts';
import { outputFormat } from '../output.ts';

/** The settings prune reads. */
export const pruneSettings = pick(backupFields, [
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
    ...flagsFor(pruneSettings),
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: ['lifeboat prune --store s3://backups/etcd --keep-daily 7 --keep-weekly 4 --dry-run'],
  args: (values, positionals, env) => {
    noPositionals('prune', positionals);
    const config = (values['config'] as string | undefined) ?? env['LIFEBOAT_CONFIG'];
    return {
      flags: configFlagValues(pruneSettings, values),
      ...(config ? { config } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: async (args, io) => (await import('./run/prune.ts')).prune(args, io),
});
