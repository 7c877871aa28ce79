import { defineCommand, noPositionals } from '../command.ts';
import type { Io } from '../io.ts';
import { defaultKubernetesDir, discoverEtcd, kubernetesDirFrom } from '../operations/discover.ts';
import { json, keyValueTable, type OutputFormat, outputFormat } from '../output.ts';

export interface DiscoverArgs {
  kubernetesDir: string;
  output: OutputFormat;
}

export async function discover(args: DiscoverArgs, io: Io): Promise<number> {
  const found = await discoverEtcd(args.kubernetesDir);
  if (args.output === 'json') {
    io.stdout(json(found));
    return 0;
  }
  io.stdout(
    keyValueTable([
      ['manifest', found.manifest],
      ['endpoints', found.endpoints.join(', ')],
      ['cacert', found.cacert],
      ['cert', found.cert],
      ['key', found.key],
      ['member name', found.memberName],
      ['data dir', found.dataDir],
      ['initial cluster', found.initialCluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')],
      ['cluster state', found.initialClusterState],
      ...(found.image ? [['image', found.image] as const] : []),
    ]),
  );
  return 0;
}

export const discoverCommand = defineCommand<DiscoverArgs>({
  name: 'discover',
  summary: 'show how lifeboat would reach etcd on this node',
  usage: '[--kubernetes-dir DIR] [-o table|json]',
  description: [
    'Reads DIR/manifests/etcd.yaml, the static-pod manifest kubeadm writes, and prints the etcd',
    'connection a backup on this node would use: client endpoints (loopback first), the etcd CA, the',
    'client certificate and key kubeadm issued, and the member facts a restore needs (name, data dir,',
    'initial cluster). Nothing is contacted; run it first when a backup cannot reach etcd.',
  ].join('\n'),
  flags: {
    'kubernetes-dir': {
      type: 'string',
      value: 'DIR',
      description: 'the kubeadm directory holding manifests/ and pki/',
      default: `$LIFEBOAT_KUBERNETES_DIR, else ${defaultKubernetesDir}`,
    },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: ['lifeboat discover', 'lifeboat discover --kubernetes-dir /host/etc/kubernetes -o json'],
  args: (values, positionals, env) => {
    noPositionals('discover', positionals);
    return {
      kubernetesDir: kubernetesDirFrom(values['kubernetes-dir'] as string | undefined, env),
      output: outputFormat(values['output'], ['table', 'json']),
    };
  },
  run: discover,
});
