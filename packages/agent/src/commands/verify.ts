import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import type { Io } from '../io.ts';
import { progressLine } from '../log.ts';
import { readerKeys } from '../operations/keys.ts';
import { storeFromSettings } from '../operations/open-store.ts';
import { verifyBackup } from '../operations/verify.ts';
import { json, outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface VerifyArgs extends ReaderArgs {
  output: 'table' | 'json';
}

export async function verify(args: VerifyArgs, io: Io): Promise<number> {
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const progress = progressLine(io, 'verify');
  let report: Awaited<ReturnType<typeof verifyBackup>>;
  try {
    report = await verifyBackup({
      store,
      id: args.id,
      ...(args.cluster ? { cluster: args.cluster } : {}),
      ...(args.node ? { node: args.node } : {}),
      ...(keys.privateKeys.length ? { privateKeys: keys.privateKeys } : {}),
      verificationKeys: keys.verificationKeys,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (args.output === 'json') io.stdout(json(report));
  else {
    io.stdout(`backup ${report.id} of ${report.cluster}/${report.node}\n`);
    for (const c of report.checks) io.stdout(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name}: ${c.detail}\n`);
    if (!args.keys.length)
      io.stdout('  (contents not checked: pass --key PRIVATE.asc to decrypt and check the snapshot)\n');
  }
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    throw new LifeboatError('integrity', `backup ${report.id} failed verification: ${failed.join(', ')}`);
  }
  return 0;
}

export const verifyCommand = defineCommand<VerifyArgs>({
  name: 'verify',
  summary: 'check a backup: checksum and signatures, and with a key its contents',
  usage: '--store URL ID [--key PRIVATE.asc] [--signer-key PUBLIC.asc] [-o table|json]',
  description: [
    'Without a private key: the metadata is valid, its detached signature holds (checked against',
    '--signer-key, or the public half of --key), and the payload has the size and sha256 the metadata',
    'names — the same checks an auditor makes with sha256sum and gpg --verify.',
    '',
    'With --key: the payload is also decrypted (integrity check, and the signature of the signer the',
    'metadata names), every file is checked against the bundle manifest, and the inner etcd snapshot',
    'is read as a bbolt database: its sha256 trailer must match the metadata, and its `snapshot status`',
    '(revision, keys, hash) is reported. Nothing is written except a temporary copy of the snapshot,',
    'removed afterwards. Exit status 1 when any check fails.',
  ].join('\n'),
  flags: {
    ...readerFlags,
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: [
    'lifeboat verify --store s3://backups/etcd 20261121T143000Z',
    'lifeboat verify --store file:///var/backups/lifeboat 20261121T143000Z --key auditor.key.asc',
  ],
  args: (values, positionals, env) => {
    if (positionals.length !== 1) {
      throw new LifeboatError(
        'usage',
        'verify takes one backup id (see "lifeboat list"); see "lifeboat verify --help"',
      );
    }
    return {
      ...readerArgs(values, positionals[0]!, env),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: verify,
});
