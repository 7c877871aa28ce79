import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import type { Io } from '../io.ts';
import { progressLine } from '../log.ts';
import { fetchBackup } from '../operations/fetch.ts';
import { readerKeys } from '../operations/keys.ts';
import { storeFromSettings } from '../operations/open-store.ts';
import { json, outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface FetchArgs extends ReaderArgs {
  out: string;
  output: 'table' | 'json';
}

export async function fetch(args: FetchArgs, io: Io): Promise<number> {
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const progress = progressLine(io, 'fetch');
  let result: Awaited<ReturnType<typeof fetchBackup>>;
  try {
    result = await fetchBackup({
      store,
      id: args.id,
      ...(args.cluster ? { cluster: args.cluster } : {}),
      ...(args.node ? { node: args.node } : {}),
      privateKeys: keys.privateKeys,
      verificationKeys: keys.verificationKeys,
      out: args.out,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (args.output === 'json') io.stdout(json(result));
  else {
    io.stdout(
      `backup ${result.id} of ${result.cluster}/${result.node} extracted to ${result.out} (${result.files} files, verified${result.signer ? `, signed by ${result.signer}` : ''})\n` +
        `  snapshot: ${result.out}/etcd/snapshot.db\n  /etc/kubernetes: ${result.out}/kubernetes\n`,
    );
  }
  return 0;
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
  run: fetch,
});
