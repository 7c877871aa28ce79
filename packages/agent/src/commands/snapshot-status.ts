import { LifeboatError } from '@lifeboat/core';
import type { StatusSemantics } from '@lifeboat/etcd';
import { defineCommand } from '../command.ts';
import { outputFormat } from '../output.ts';

export interface SnapshotStatusArgs {
  file: string;
  output: 'table' | 'json';
  semantics?: StatusSemantics;
}

export const snapshotStatusCommand = defineCommand<SnapshotStatusArgs>({
  name: 'snapshot status',
  summary: 'hash, revision, key count, size and storage version of a snapshot file',
  usage: 'FILE [-w table|json] [--semantics 3.5|3.6]',
  description: [
    'Reads a snapshot file (what `etcdctl snapshot save` or `lifeboat snapshot save` wrote, or a raw',
    'member/snap/db) and prints what `etcdutl snapshot status` prints, with the same values, without',
    'etcd: hash (CRC-32C of every bucket, key and value), revision, total keys, total size and the',
    'storage version etcd 3.6+ records. The file is checked on the way: bbolt structure, and the',
    'sha256 trailer when there is one; damage fails with a message naming the page.',
    '',
    'etcdutl 3.5 counts every entry of every bucket as a key, 3.6 only the live keys. By default',
    'the count follows the etcd that wrote the file (3.6 when it records a storage version).',
  ].join('\n'),
  flags: {
    'write-out': {
      type: 'string',
      short: 'w',
      value: 'FORMAT',
      description: 'table or json',
      default: 'table',
    },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'the same as --write-out' },
    semantics: {
      type: 'string',
      value: 'VERSION',
      description: "whose totalKey to report: 3.5 or 3.6's",
      default: 'from the file',
    },
  },
  examples: [
    'lifeboat snapshot status backup.db',
    'lifeboat snapshot status backup.db -w json --semantics 3.5',
  ],
  args: (values, positionals) => {
    if (positionals.length !== 1) {
      throw new LifeboatError(
        'usage',
        positionals.length === 0
          ? '"lifeboat snapshot status" needs the snapshot FILE; see "lifeboat snapshot status --help"'
          : `"lifeboat snapshot status" takes one FILE, got ${positionals.length}; see "lifeboat snapshot status --help"`,
      );
    }
    const w = values['write-out'];
    const o = values['output'];
    if (w !== undefined && o !== undefined && w !== o) {
      throw new LifeboatError('usage', `-w ${String(w)} and -o ${String(o)} disagree; give one of them`);
    }
    const semantics = values['semantics'];
    if (semantics !== undefined && semantics !== '3.5' && semantics !== '3.6') {
      throw new LifeboatError('usage', `--semantics ${String(semantics)} is not supported; use 3.5 or 3.6`);
    }
    return {
      file: positionals[0]!,
      output: outputFormat(w ?? o, ['table', 'json']),
      ...(semantics ? { semantics } : {}),
    };
  },
  run: async (args, io) => (await import('./run/snapshot-status.ts')).snapshotStatusCli(args, io),
});
