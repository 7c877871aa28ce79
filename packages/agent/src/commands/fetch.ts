import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import { outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface FetchArgs extends ReaderArgs {
  out: string;
  output: 'table' | 'json';
}

export const fetchCommand = defineCommand<FetchArgs>({
  name: 'fetch',
  summary: 'download, decrypt, verify and extract a backup',
  usage: '--store URL ID --key PRIVATE.asc --out DIR',
  description: [
    'Downloads the payload, checks its sha256 against the metadata, decrypts it (integrity check and the',
    'expected signature must pass), and extracts it into DIR: etcd/snapshot.db (ready for `etcdutl',
    "snapshot restore`), kubernetes/ (the node's /etc/kubernetes, modes kept), lifeboat/manifest.json, and",
    "metadata.json (the backup's metadata, which `lifeboat restore-plan --bundle DIR` reads).",
    'Extraction refuses absolute paths, ".." and escaping symlinks, goes to DIR.partial, and is renamed',
    'to DIR only after every file matched the manifest; on any failure nothing is left. DIR must not exist',
    'or be empty. DIR holds CA private keys and every Secret: keep it private and delete it when done.',
  ].join('\n'),
  flags: {
    ...readerFlags,
    out: { type: 'string', value: 'DIR', description: 'where to extract (must not exist, or be empty)' },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: [
    'lifeboat fetch --store s3://backups/etcd 20261121T143000Z --key ops.key.asc --out /root/restore',
  ],
  args: (values, positionals, env) => {
    if (positionals.length !== 1)
      throw new LifeboatError('usage', 'fetch takes one backup id; see "lifeboat fetch --help"');
    const out = values['out'] as string | undefined;
    if (!out) throw new LifeboatError('usage', 'fetch needs --out DIR, where the backup is extracted');
    const base = readerArgs(values, positionals[0]!, env);
    if (base.keys.length === 0)
      throw new LifeboatError('usage', 'fetch needs --key PRIVATE.asc to decrypt the backup');
    return { ...base, out, output: outputFormat(values['output'], ['table', 'json']) };
  },
  run: async (args, io) => (await import('./run/fetch.ts')).fetch(args, io),
});
