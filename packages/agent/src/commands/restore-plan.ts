import { LifeboatError, parseDuration } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import type { RestorePlanOptions } from '../operations/restore-plan.ts';
import { outputFormat } from '../output.ts';
import { type ReaderArgs, readerArgs, readerFlags } from './reader-flags.ts';

export interface RestorePlanArgs {
  bundle?: string;
  reader?: ReaderArgs;
  options: Omit<RestorePlanOptions, 'bundle' | 'store' | 'out' | 'members'>;
  /** --members as given: parsed by the implementation, which loads the restore package. */
  members?: string;
  fetchDir?: string;
  out?: string;
  output: 'table' | 'json';
}

function integer(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n)) {
    throw new LifeboatError('usage', `--${flag} ${String(value)} is not a whole number`);
  }
  return n;
}

function manifestFlags(values: unknown): { name: string; file: string }[] {
  return ((values as string[] | undefined) ?? []).map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0)
      throw new LifeboatError('usage', `--manifest ${entry} is not NAME=FILE, e.g. cp-2=/tmp/cp-2-etcd.yaml`);
    return { name: entry.slice(0, eq), file: entry.slice(eq + 1) };
  });
}

export const restorePlanCommand = defineCommand<RestorePlanArgs>({
  name: 'restore-plan',
  summary: 'generate a restore runbook and per-node scripts for a backup',
  usage:
    '(--bundle DIR | --store URL ID --key PRIVATE.asc) [--members name=peerURL,…] [--data-dir DIR] [--token T] [--out DIR]',
  description: [
    'Writes, into --out: RUNBOOK.md (every step, why it exists, its exact commands), restore-<member>.sh',
    'for each etcd member (bash, set -euo pipefail, every value quoted), and etcd.yaml.<member>.edited',
    'with its .diff: the etcd.yaml that points etcd at the restored data dir, comments and formatting kept.',
    'Nothing is run: read the runbook, then run each script as root on its node.',
    '',
    'The steps: preflight checks, fetch and verify the backup (while the cluster still runs), check the',
    'snapshot, move the static-pod manifests aside, `etcdutl snapshot restore` into a new data dir with',
    '--bump-revision (default 1000000000) and --mark-compacted so clients never see revisions go back,',
    'ownership, the etcd.yaml edit, start etcd alone and wait for health, bring back kube-apiserver,',
    'kube-controller-manager and kube-scheduler, restart kubelet, check `kubectl get nodes`.',
    '',
    'The members default to --initial-cluster of the backed-up etcd.yaml (plus --manifest files); kubeadm',
    'writes only the members that existed when a node joined, so check them, or pass --members. With',
    '--store the backup is fetched into a private temp dir to read etcd.yaml and the certificates, then',
    'removed; the scripts fetch it again on each node. Warnings: etcdutl version (with --etcdutl),',
    'certificates expired or expiring within 30 days, a backup older than --max-age, a raw snapshot.',
  ].join('\n'),
  flags: {
    bundle: {
      type: 'string',
      value: 'DIR',
      description: 'a folder `lifeboat fetch` wrote; must be at the same path on every node',
    },
    ...readerFlags,
    metadata: { type: 'string', value: 'FILE', description: "the backup's <id>.json, for --bundle" },
    snapshot: {
      type: 'string',
      value: 'FILE',
      description: 'restore this file instead of DIR/etcd/snapshot.db (a raw db adds --skip-hash-check)',
    },
    manifest: {
      type: 'string',
      multiple: true,
      value: 'NAME=FILE',
      description: "another member's etcd.yaml, for an exact edit on its node (repeatable)",
    },
    members: { type: 'string', value: 'LIST', description: 'the restored cluster: name=peerURL,…' },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where each member is restored',
      default: '<old data dir>-restored-<id>',
    },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: '--initial-cluster-token of the restored cluster',
      default: 'lifeboat-restore-<id>',
    },
    'bump-revision': {
      type: 'string',
      value: 'N',
      description: 'added to the restored revision; 0 turns it off',
      default: '1000000000',
    },
    etcdutl: {
      type: 'string',
      value: 'PATH',
      description: 'the etcdutl that will restore, to check its version',
    },
    'max-age': {
      type: 'string',
      value: 'DURATION',
      description: 'warn when the backup is older',
      default: '24h',
    },
    'fetch-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where the scripts fetch the backup on each node',
      default: '/root/lifeboat-restore/<id>',
    },
    'kubernetes-dir': {
      type: 'string',
      value: 'DIR',
      description: "the nodes' /etc/kubernetes",
      default: '/etc/kubernetes',
    },
    out: { type: 'string', value: 'DIR', description: 'where the plan is written', default: 'restore-plan' },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: [
    'lifeboat restore-plan --bundle /root/restore --out /root/plan',
    'lifeboat restore-plan --store s3://backups/etcd 20261121T143000Z --key ops.key.asc --members cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380',
  ],
  args: (values, positionals, env) => {
    const str = (k: string) => values[k] as string | undefined;
    const bundle = str('bundle');
    const storeGiven = str('store') !== undefined || (!bundle && env['LIFEBOAT_STORE'] !== undefined);
    if (bundle && str('store')) {
      throw new LifeboatError('usage', 'give --bundle DIR or --store URL ID, not both');
    }
    let reader: ReaderArgs | undefined;
    if (bundle) {
      if (positionals.length > 0)
        throw new LifeboatError('usage', `--bundle takes no backup id, got "${positionals[0]}"`);
    } else if (storeGiven) {
      if (positionals.length !== 1)
        throw new LifeboatError('usage', 'restore-plan --store takes one backup id (see "lifeboat list")');
      reader = readerArgs(values, positionals[0]!, env);
      if (reader.keys.length === 0) {
        throw new LifeboatError(
          'usage',
          'restore-plan --store needs --key PRIVATE.asc: etcd.yaml is inside the encrypted payload',
        );
      }
    } else {
      throw new LifeboatError('usage', 'restore-plan needs --bundle DIR or --store URL ID --key PRIVATE.asc');
    }
    const maxAge = str('max-age');
    const bump = integer(values['bump-revision'], 'bump-revision');
    const options: RestorePlanArgs['options'] = {
      ...(str('metadata') ? { metadataFile: str('metadata')! } : {}),
      ...(str('snapshot') ? { snapshot: str('snapshot')! } : {}),
      manifests: manifestFlags(values['manifest']),
      ...(str('data-dir') ? { dataDir: str('data-dir')! } : {}),
      ...(str('token') ? { token: str('token')! } : {}),
      ...(bump !== undefined ? { bumpRevision: bump } : {}),
      ...(str('etcdutl') ? { etcdutl: str('etcdutl')! } : {}),
      ...(maxAge ? { maxAgeMs: parseDuration(maxAge, '--max-age') } : {}),
      ...(str('kubernetes-dir') ? { kubernetesDir: str('kubernetes-dir')! } : {}),
    };
    return {
      ...(bundle ? { bundle } : {}),
      ...(reader ? { reader } : {}),
      options,
      ...(str('members') !== undefined ? { members: str('members')! } : {}),
      ...(str('fetch-dir') ? { fetchDir: str('fetch-dir')! } : {}),
      ...(str('out') ? { out: str('out')! } : {}),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: async (args, io) => (await import('./run/restore-plan.ts')).restorePlanCli(args, io),
});
