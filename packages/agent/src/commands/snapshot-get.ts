import { LifeboatError } from '@lifeboat/core';
import { storedValueField } from '@lifeboat/etcd';
import { defineCommand } from '../command.ts';
import type { Io } from '../io.ts';
import { getSnapshotObject } from '../operations/snapshot-get.ts';
import { outputFormat } from '../output.ts';
import { readOptions, skipHashCheckFlag, snapshotPositionals, stdoutSink } from './snapshot-ls.ts';

export interface SnapshotGetArgs {
  file: string;
  key: string;
  output: 'yaml' | 'json' | 'raw';
  keepOwnerReferences: boolean;
  skipHashCheck: boolean;
}

export async function snapshotGet(args: SnapshotGetArgs, io: Io): Promise<number> {
  if (args.output === 'raw' && !io.writeStdout) {
    // Bytes through a text channel would be silently re-encoded: refuse instead.
    throw new LifeboatError('usage', '-o raw needs a binary stdout, which this caller does not provide');
  }
  const { output } = await getSnapshotObject(args.file, args.key, args.output, {
    ...readOptions(io, args.skipHashCheck),
    ...(args.keepOwnerReferences ? { keepOwnerReferences: true } : {}),
  });
  if (typeof output === 'string') await stdoutSink(io)(output);
  else await io.writeStdout!(output);
  return 0;
}

export const snapshotGetCommand = defineCommand<SnapshotGetArgs>({
  name: 'snapshot get',
  summary: 'one object from a snapshot file, as YAML to apply, JSON, or its raw bytes',
  usage: 'FILE KEY [-o yaml|json|raw] [--keep-owner-references] [--skip-hash-check]',
  description: [
    'Prints the object stored under KEY (the etcd key, as "lifeboat snapshot ls" shows it, e.g.',
    "/registry/secrets/default/db-creds) at the snapshot's latest revision, without etcd.",
    '',
    'ConfigMaps, Secrets and every object stored as JSON (custom resources, CRDs, APIServices)',
    'come out complete, as a manifest that `kubectl apply -f` (or server-side apply) accepts to',
    'recreate them: uid, resourceVersion, creationTimestamp, managedFields, status, the',
    'last-applied annotation and ownerReferences are left out. Other built-in kinds are stored as',
    'protobuf that lifeboat decodes only as far as their metadata: they come with full metadata',
    `and the exact stored value (base64) under ${storedValueField}, which kubectl refuses, so`,
    'nothing half-empty is applied by mistake.',
    '',
    '-o raw writes the stored bytes unchanged (for `etcdctl put KEY < file`); it is also the only',
    'way out for values encrypted at rest, which lifeboat does not decrypt.',
  ].join('\n'),
  flags: {
    output: {
      type: 'string',
      short: 'o',
      value: 'FORMAT',
      description: 'yaml, json or raw',
      default: 'yaml',
    },
    'keep-owner-references': {
      type: 'boolean',
      description: 'keep metadata.ownerReferences (they name owners by uid, which a restore changes)',
    },
    'skip-hash-check': skipHashCheckFlag,
  },
  examples: [
    'lifeboat snapshot get backup.db /registry/secrets/default/db-creds > db-creds.yaml',
    'lifeboat snapshot get backup.db /registry/configmaps/shop/settings | kubectl apply -f -',
    'lifeboat snapshot get backup.db /registry/deployments/shop/web -o raw > web.bin',
  ],
  args: (values, positionals) => {
    const [file, key] = snapshotPositionals('snapshot get', positionals, ['snapshot FILE', 'KEY']);
    if (key === '')
      throw new LifeboatError('usage', 'KEY is empty; give an etcd key such as /registry/secrets/NS/NAME');
    return {
      file: file!,
      key: key!,
      output: outputFormat(values['output'], ['yaml', 'json', 'raw']),
      keepOwnerReferences: values['keep-owner-references'] === true,
      skipHashCheck: values['skip-hash-check'] === true,
    };
  },
  run: snapshotGet,
});
