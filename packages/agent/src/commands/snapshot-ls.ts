import { LifeboatError } from '@lifeboat/core';
import { defineCommand, type Flag } from '../command.ts';
import { outputFormat } from '../output.ts';

export interface SnapshotLsArgs {
  file: string;
  prefix?: string;
  etcdPrefix?: string;
  output: 'table' | 'json' | 'jsonl';
  skipHashCheck: boolean;
}

export const skipHashCheckFlag: Flag = {
  type: 'boolean',
  description: "don't check the sha256 trailer (checked by default when the file has one)",
};

/** The one FILE (and optionally more) a snapshot command takes. */
export function snapshotPositionals(name: string, positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    const missing = names.slice(positionals.length).join(' and ');
    throw new LifeboatError(
      'usage',
      positionals.length < names.length
        ? `"lifeboat ${name}" needs the ${missing}; see "lifeboat ${name} --help"`
        : `"lifeboat ${name}" takes ${names.join(' and ')}, got ${positionals.length} arguments; see "lifeboat ${name} --help"`,
    );
  }
  return positionals;
}

export const snapshotLsCommand = defineCommand<SnapshotLsArgs>({
  name: 'snapshot ls',
  summary: 'list the Kubernetes objects and every other live key inside a snapshot file',
  usage: 'FILE [--prefix P] [--etcd-prefix /registry] [-o table|json|jsonl] [--skip-hash-check]',
  description: [
    'Lists the keys a client would read from the snapshot at its latest revision, without etcd:',
    'for each, the resource, namespace, name, kind and apiVersion of the object kube-apiserver',
    'stored there, the value size in bytes, the revision that last modified it, and how it is',
    'encoded: protobuf, json, or encrypted at rest (provider and key name, e.g.',
    'encrypted:aescbc:key1). Keys that are not API objects are listed too: RESOURCE (internal)',
    "for the apiserver's own (compaction, master leases, allocation ranges), (other) for the rest.",
    'An ENCODING ending in "!" marks a value that could not be decoded; -o json says why.',
    '',
    'The table and -o json are sorted by key; the KEY column is what "lifeboat snapshot get"',
    'takes. To sort, both hold every key in memory: the table compactly (about the key plus 20',
    'bytes per key, ~10 MiB for 150,000 keys), -o json as objects. -o jsonl streams one JSON',
    'object per line in modification-revision order with constant memory.',
    'JSON fields: key, type (object, internal, other), resource, group, namespace, name,',
    'apiVersion, kind, size, encoding, provider and keyName (encrypted), error, createRevision,',
    'modRevision, version, lease (hex, as etcdctl prints lease ids; absent when none).',
    '',
    'The sha256 trailer of a saved snapshot is checked while reading; a mismatch, a truncated',
    'file or damaged pages fail the command.',
  ].join('\n'),
  flags: {
    prefix: {
      type: 'string',
      value: 'P',
      description: 'only etcd keys starting with P, e.g. /registry/secrets/',
    },
    'etcd-prefix': {
      type: 'string',
      value: 'PREFIX',
      description: "kube-apiserver's --etcd-prefix, to read keys as objects",
      default: '/registry',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FORMAT',
      description: 'table, json (an array) or jsonl (streamed lines)',
      default: 'table',
    },
    'skip-hash-check': skipHashCheckFlag,
  },
  examples: [
    'lifeboat snapshot ls backup.db',
    'lifeboat snapshot ls backup.db --prefix /registry/secrets/kube-system/ -o json',
    'lifeboat snapshot ls backup.db -o jsonl | jq -r \'select(.kind == "ConfigMap") | .key\'',
  ],
  args: (values, positionals) => {
    const [file] = snapshotPositionals('snapshot ls', positionals, ['snapshot FILE']);
    const prefix = values['prefix'] as string | undefined;
    const etcdPrefix = values['etcd-prefix'] as string | undefined;
    return {
      file: file!,
      ...(prefix ? { prefix } : {}),
      ...(etcdPrefix ? { etcdPrefix } : {}),
      output: outputFormat(values['output'], ['table', 'json', 'jsonl']),
      skipHashCheck: values['skip-hash-check'] === true,
    };
  },
  run: async (args, io) => (await import('./run/snapshot-ls.ts')).snapshotLs(args, io),
});
