import { defineCommand, noPositionals } from '../command.ts';
import { defaultKubernetesDir, kubernetesDirFrom } from '../kubernetes-dir.ts';
import { type OutputFormat, outputFormat } from '../output.ts';

export interface DiscoverArgs {
  kubernetesDir: string;
  output: OutputFormat;
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
  run: async (args, io) => (await import('./run/discover.ts')).discover(args, io),
});
