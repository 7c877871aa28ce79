import { LifeboatError } from '@lifeboat/core';
import { defineCommand, noPositionals } from '../command.ts';
import { backupFields } from '../config/fields.ts';
import { configFlag, configFlagValues, flagsFor } from '../config/flags.ts';

const { 'dry-run': _dryRun, ...fields } = backupFields;

/** The settings backup reads: every field but prune's --dry-run. */
export const backupSettings = fields;

export interface BackupArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  config?: string;
  output: 'text' | 'json';
}

export const backupCommand = defineCommand<BackupArgs>({
  name: 'backup',
  summary: 'take one encrypted backup of etcd and /etc/kubernetes, then apply retention',
  usage: '--store URL --recipient FILE [flags]',
  description: [
    "Streams a snapshot of this node's etcd, adds a copy of /etc/kubernetes (pki, manifests,",
    'kubeconfigs), compresses it, encrypts it with OpenPGP to every --recipient (and signs it with',
    '--signing-key), and uploads it to the store as <cluster>/<node>/<id>.tar.zst.pgp. The metadata',
    '<id>.json is written last, as the commit marker: a failed run leaves no backup that looks complete,',
    'and retention (the keep-* settings) runs only after a backup succeeded.',
    '',
    'etcd endpoint and certificates default to what the kubeadm etcd.yaml names (see "lifeboat discover").',
    'Every setting can come from its flag, its LIFEBOAT_* variable, or the --config YAML file. Store',
    'credentials come from the environment only: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or the AWS',
    'default chain) for s3, RESTIC_PASSWORD(_FILE) or --restic-password-file for restic.',
    '',
    'Logs are JSON lines on stderr unless stderr is a terminal; the summary goes to stdout.',
  ].join('\n'),
  flags: {
    config: configFlag,
    ...flagsFor(fields),
    output: {
      type: 'string',
      short: 'o',
      value: 'FORMAT',
      description: 'text, or json for the metadata',
      default: 'text',
    },
  },
  examples: [
    'lifeboat backup --store s3://backups/etcd?region=eu-central-1 --recipient /keys --cluster prod --keep-daily 7',
    'lifeboat backup --config /etc/lifeboat/config.yaml',
  ],
  args: (values, positionals, env) => {
    noPositionals('backup', positionals);
    const config = (values['config'] as string | undefined) ?? env['LIFEBOAT_CONFIG'];
    const output = values['output'] ?? 'text';
    if (output !== 'text' && output !== 'json')
      throw new LifeboatError('usage', `-o ${output}: use text or json`);
    return { flags: configFlagValues(fields, values), ...(config ? { config } : {}), output };
  },
  // The implementation loads on demand: `lifeboat version` need not load OpenPGP, gRPC and the AWS SDK.
  run: async (args, io) => (await import('./run/backup.ts')).backup(args, io),
});
