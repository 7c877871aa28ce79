import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import { outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface DrillArgs extends ReaderArgs {
  etcd?: string;
  etcdutl?: string;
  output: 'table' | 'json';
}

export const drillCommand = defineCommand<DrillArgs>({
  name: 'drill',
  summary: 'restore a backup into a throwaway etcd and check it serves the snapshot',
  usage: '--store URL ID --key PRIVATE.asc [--etcd PATH --etcdutl PATH] [-o table|json]',
  description: [
    'Proves a backup restores, without touching the cluster: fetches and verifies it into a scratch',
    "folder, reads the snapshot with lifeboat's own bbolt reader, restores it with `etcdutl snapshot",
    "restore` (etcd's hash check), boots a temporary etcd on free loopback ports, and checks that it",
    'serves the revision, the number of keys and a sample of values the file holds. Everything is',
    'removed afterwards. Exit 0 and PASSED, or exit 1 with every failed check on one line — loud',
    'enough for a CronJob: run it weekly against the newest backup.',
  ].join('\n'),
  flags: {
    ...readerFlags,
    etcd: { type: 'string', value: 'PATH', description: 'the etcd binary to boot', default: 'etcd on PATH' },
    etcdutl: {
      type: 'string',
      value: 'PATH',
      description: 'the etcdutl binary to restore with',
      default: 'etcdutl on PATH',
    },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: ['lifeboat drill --store s3://backups/etcd 20261121T143000Z --key drill.key.asc -o json'],
  args: (values, positionals, env) => {
    if (positionals.length !== 1)
      throw new LifeboatError('usage', 'drill takes one backup id; see "lifeboat drill --help"');
    const base = readerArgs(values, positionals[0]!, env);
    if (base.keys.length === 0)
      throw new LifeboatError('usage', 'drill needs --key PRIVATE.asc to decrypt the backup');
    const etcd = values['etcd'] as string | undefined;
    const etcdutl = values['etcdutl'] as string | undefined;
    return {
      ...base,
      ...(etcd ? { etcd } : {}),
      ...(etcdutl ? { etcdutl } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: async (args, io) => (await import('./run/drill.ts')).drill(args, io),
});
