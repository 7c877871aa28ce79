import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import { outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface VerifyArgs extends ReaderArgs {
  output: 'table' | 'json';
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
  run: async (args, io) => (await import('./run/verify.ts')).verify(args, io),
});
