import { LifeboatError } from '@lifeboat/core';
import { defineCommand, noPositionals } from '../command.ts';
import { manifestDefaults } from '../operations/manifest-defaults.ts';
import type { ManifestOptions, StoreKind } from '../operations/manifests.ts';

export const manifestsCommand = defineCommand<ManifestOptions>({
  name: 'manifests',
  summary: 'print the backup CronJob of each control-plane node, as YAML',
  usage: '--nodes a,b,c [--store s3|restic] [--schedule CRON] [--namespace NS] [--image IMAGE]',
  description: [
    'Prints one CronJob per control-plane node (multi-document YAML), each pinned to its node by',
    'kubernetes.io/hostname, running "lifeboat backup" with /etc/kubernetes mounted read-only. These',
    'are the same objects as manifests/base/cronjobs.yaml, which is this output for the placeholder',
    'node "control-plane-1". Without --store the CronJobs are store-neutral, for manifests/base (the',
    "overlays add the store's credentials); with --store they carry the credentials Secret as env and",
    'can be applied on their own next to an installed overlay.',
    '',
    'Node names must be DNS-1123 names, as "kubectl get nodes" shows them.',
  ].join('\n'),
  flags: {
    nodes: {
      type: 'string',
      multiple: true,
      value: 'NAMES',
      description: 'control-plane node names, comma-separated or repeated',
    },
    store: {
      type: 'string',
      value: 'KIND',
      description: "s3 or restic: add that store's credentials Secret as env",
    },
    schedule: {
      type: 'string',
      value: 'CRON',
      description: 'cron schedule (UTC)',
      default: manifestDefaults.schedule,
    },
    namespace: { type: 'string', value: 'NS', description: 'namespace', default: manifestDefaults.namespace },
    image: { type: 'string', value: 'IMAGE', description: 'agent image', default: manifestDefaults.image },
  },
  examples: [
    'lifeboat manifests --nodes cp-1,cp-2,cp-3 > manifests/base/cronjobs.yaml',
    'lifeboat manifests --nodes cp-1 --store s3 --schedule "0 * * * *" | kubectl apply -f -',
  ],
  args: (values, positionals) => {
    noPositionals('manifests', positionals);
    const nodes = ((values['nodes'] as string[] | undefined) ?? [])
      .flatMap((n) => n.split(','))
      .map((n) => n.trim())
      .filter(Boolean);
    if (nodes.length === 0)
      throw new LifeboatError('usage', '--nodes is required, e.g. --nodes cp-1,cp-2,cp-3');
    const store = values['store'] as string | undefined;
    if (store !== undefined && store !== 's3' && store !== 'restic')
      throw new LifeboatError('usage', `--store ${store}: use s3 or restic`);
    const text = (name: string) => values[name] as string | undefined;
    return {
      nodes,
      ...(store ? { store: store as StoreKind } : {}),
      ...(text('schedule') ? { schedule: text('schedule')! } : {}),
      ...(text('namespace') ? { namespace: text('namespace')! } : {}),
      ...(text('image') ? { image: text('image')! } : {}),
    };
  },
  run: async (args, io) => (await import('./run/manifests.ts')).manifests(args, io),
});
