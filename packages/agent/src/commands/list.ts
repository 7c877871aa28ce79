import { defineCommand, noPositionals } from '../command.ts';
import { backupFields } from '../config/fields.ts';
import { configFlag, configFlagValues, flagsFor, pick } from '../config/flags.ts';
import { outputFormat } from '../output.ts';

/** The settings list reads. */
export const listSettings = pick(backupFields, ['store', 'cluster', 'node', 'restic-password-file']);

export interface ListArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  config?: string;
  output: 'table' | 'json';
}

export const listCommand = defineCommand<ListArgs>({
  name: 'list',
  summary: 'list the backups in a store, newest first',
  usage: '--store URL [--cluster C] [--node N] [-o table|json]',
  description: [
    'Lists every backup in the store with its state: complete (metadata and payload present, metadata',
    'valid), incomplete (a payload without metadata: a failed run, or one still uploading — never',
    'restorable) or invalid (metadata that does not parse, or whose payload is gone). Reads only the',
    'small metadata objects, never the payloads.',
  ].join('\n'),
  flags: {
    config: configFlag,
    ...flagsFor(listSettings),
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: [
    'lifeboat list --store file:///var/backups/lifeboat',
    'lifeboat list --store s3://backups/etcd --cluster prod -o json',
  ],
  args: (values, positionals, env) => {
    noPositionals('list', positionals);
    const config = (values['config'] as string | undefined) ?? env['LIFEBOAT_CONFIG'];
    return {
      flags: configFlagValues(listSettings, values),
      ...(config ? { config } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: async (args, io) => (await import('./run/list.ts')).list(args, io),
});
