import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import { outputFormat } from '../output.ts';
import { skipHashCheckFlag, snapshotPositionals } from './snapshot-ls.ts';

/** @lifeboat/etcd's storedValueField (a test keeps them equal): help must not load the etcd package. */
const storedValueField = 'x-lifeboat-stored-value';

export interface SnapshotGetArgs {
  file: string;
  key: string;
  output: 'yaml' | 'json' | 'raw';
  keepOwnerReferences: boolean;
  skipHashCheck: boolean;
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
  run: async (args, io) => (await import('./run/snapshot-get.ts')).snapshotGet(args, io),
});
