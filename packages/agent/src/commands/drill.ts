import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import type { Io } from '../io.ts';
import { logger } from '../log.ts';
import { runDrill } from '../operations/drill.ts';
import { readerKeys } from '../operations/keys.ts';
import { storeFromSettings } from '../operations/open-store.ts';
import { json, outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface DrillArgs extends ReaderArgs {
  etcd?: string;
  etcdutl?: string;
  output: 'table' | 'json';
}

export async function drill(args: DrillArgs, io: Io): Promise<number> {
  const log = logger(io);
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const report = await runDrill({
    store,
    id: args.id,
    ...(args.cluster ? { cluster: args.cluster } : {}),
    ...(args.node ? { node: args.node } : {}),
    privateKeys: keys.privateKeys,
    verificationKeys: keys.verificationKeys,
    ...(args.etcd ? { etcd: args.etcd } : {}),
    ...(args.etcdutl ? { etcdutl: args.etcdutl } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onStep: (step) => log.info(step),
  });
  if (args.output === 'json') io.stdout(json(report));
  else {
    io.stdout(
      `drill of backup ${report.id} of ${report.cluster}/${report.node}: ${report.ok ? 'PASSED' : 'FAILED'} in ${Math.round(report.durationMs / 1000)}s\n`,
    );
    for (const c of report.checks) io.stdout(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name}: ${c.detail}\n`);
  }
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok);
    throw new LifeboatError(
      'integrity',
      `drill FAILED for backup ${report.id}: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }
  return 0;
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
  run: drill,
});
