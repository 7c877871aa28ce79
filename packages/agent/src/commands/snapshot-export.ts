import { defineCommand } from '../command.ts';
import { skipHashCheckFlag, snapshotPositionals } from './snapshot-ls.ts';

export interface SnapshotExportArgs {
  file: string;
  prefix?: string;
  allRevisions: boolean;
  skipHashCheck: boolean;
}

export const snapshotExportCommand = defineCommand<SnapshotExportArgs>({
  name: 'snapshot export',
  summary: 'every key of a snapshot file as JSON lines: value, decoded object, revisions, lease',
  usage: 'FILE [--prefix P] [--all-revisions] [--skip-hash-check]',
  description: [
    "Writes the snapshot's keys to stdout, one JSON object per line, without etcd: the live keys",
    'at its latest revision, or with --all-revisions every write and deletion the file still holds',
    '(what compaction has not removed). Streams in revision order, oldest first, with constant',
    'memory whatever the size of the snapshot.',
    '',
    'Each line has key, createRevision, modRevision, version, lease (hex, as etcdctl prints lease',
    'ids; absent when none), value (the stored bytes, base64) and encoding (protobuf, json,',
    'encrypted or unknown). Where the value decodes, object holds the Kubernetes object as stored',
    '(every field, server-managed ones included), with partial: true when only its apiVersion, kind',
    'and metadata could be decoded; error says why a value did not decode. Deletions',
    '(--all-revisions) are {key, tombstone: true, modRevision}. Keys that are not UTF-8 also carry',
    'keyBase64.',
    '',
    'The sha256 trailer is checked while reading: a damaged file ends with an error and exit 1 after',
    'the lines already written, never with a clean end.',
  ].join('\n'),
  flags: {
    prefix: {
      type: 'string',
      value: 'P',
      description: 'only etcd keys starting with P, e.g. /registry/configmaps/',
    },
    'all-revisions': { type: 'boolean', description: 'every revision in the file, deletions included' },
    'skip-hash-check': skipHashCheckFlag,
  },
  examples: [
    'lifeboat snapshot export backup.db > keys.jsonl',
    'lifeboat snapshot export backup.db --prefix /registry/secrets/ | jq -r .key',
    'lifeboat snapshot export backup.db --all-revisions --prefix /registry/configmaps/shop/',
  ],
  args: (values, positionals) => {
    const [file] = snapshotPositionals('snapshot export', positionals, ['snapshot FILE']);
    const prefix = values['prefix'] as string | undefined;
    return {
      file: file!,
      ...(prefix ? { prefix } : {}),
      allRevisions: values['all-revisions'] === true,
      skipHashCheck: values['skip-hash-check'] === true,
    };
  },
  run: async (args, io) => (await import('./run/snapshot-export.ts')).snapshotExport(args, io),
});
