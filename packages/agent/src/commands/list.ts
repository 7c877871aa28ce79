import { defineCommand, noPositionals } from '../command.ts';
import { backupFields } from '../config/fields.ts';
import { configFlag, configFlagValues, flagsFor, pick } from '../config/flags.ts';
import { loadSettings } from '../config/load.ts';
import type { Io } from '../io.ts';
import { mib } from '../log.ts';
import { listBackups } from '../operations/list.ts';
import { storeFromSettings } from '../operations/open-store.ts';
import { columns, json, outputFormat } from '../output.ts';

const fields = pick(backupFields, ['store', 'cluster', 'node', 'restic-password-file']);

export interface ListArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  config?: string;
  output: 'table' | 'json';
}

export async function list(args: ListArgs, io: Io): Promise<number> {
  const settings = await loadSettings(fields, {
    flags: args.flags,
    env: io.env,
    ...(args.config ? { file: args.config } : {}),
  });
  const store = await storeFromSettings(settings, io.env);
  // Cluster and node filter only when given here: list's defaults are "everything".
  const cluster = args.flags['cluster'] as string | undefined;
  const node = args.flags['node'] as string | undefined;
  const backups = await listBackups(store, { ...(cluster ? { cluster } : {}), ...(node ? { node } : {}) });
  if (args.output === 'json') {
    io.stdout(json(backups));
    return 0;
  }
  if (backups.length === 0) {
    io.stdout(`no backups in ${store.location}\n`);
    return 0;
  }
  const rows = backups.map((b) => [
    b.id,
    b.cluster,
    b.node,
    b.state,
    b.payloadSize !== undefined ? mib(b.payloadSize) : '-',
    b.metadata ? String(b.metadata.etcd.revision) : '-',
    b.metadata ? b.metadata.etcd.serverVersion : (b.problem ?? ''),
  ]);
  const header = ['ID', 'CLUSTER', 'NODE', 'STATE', 'SIZE', 'REVISION', 'ETCD'];
  io.stdout(columns(header, rows));
  return 0;
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
    ...flagsFor(fields),
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
      flags: configFlagValues(fields, values),
      ...(config ? { config } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: list,
});
