// The clusters in the kubeconfig and what their agents report: for each
// context, the lifeboat-status ConfigMap's cluster name, store URL and each
// node's last outcome. A context that cannot be reached or has no agent is a
// finding too (with the reason), never an error that hides the others.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  apiError,
  apiStatus,
  clusterKey,
  type NodeStatus,
  parseStatus,
  statusConfigMap,
  statusNodes,
  storeKey,
} from '@lifeboat/agent/library';
import { withTimeout } from '@lifeboat/core';

export interface ClusterFinding {
  context: string;
  /** The cluster name backups are filed under (the ConfigMap's "cluster"). */
  cluster?: string;
  /** The store URL the agent reports, credentials redacted as "***". */
  store?: string;
  nodes: { name: string; status: NodeStatus }[];
  /** Why nothing was found: unreachable, forbidden, no agent installed. */
  problem?: string;
}

export interface DiscoverOptions {
  /** Kubeconfig file; empty: $KUBECONFIG or ~/.kube/config, as kubectl does. */
  kubeconfig?: string;
  namespace: string;
  /** Per-context limit; an unreachable API server must not hold the view. */
  timeoutMs?: number;
}

export function loadKubeconfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

/** One context's agent status. */
export async function findCluster(
  kc: KubeConfig,
  context: string,
  options: DiscoverOptions,
): Promise<ClusterFinding> {
  const scoped = new KubeConfig();
  scoped.loadFromString(kc.exportConfig());
  scoped.setCurrentContext(context);
  const namespace = options.namespace;
  try {
    const cm = await withTimeout(
      scoped.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: statusConfigMap, namespace }),
      options.timeoutMs ?? 5000,
      `reading ConfigMap ${namespace}/${statusConfigMap}`,
    );
    const data = cm.data ?? {};
    return {
      context,
      ...(data[clusterKey] ? { cluster: data[clusterKey] } : {}),
      ...(data[storeKey] ? { store: data[storeKey] } : {}),
      nodes: statusNodes(data).map((name) => ({ name, status: parseStatus(data, name) })),
      ...(data[storeKey] ? {} : { problem: 'the agent has not reported a store yet (no backup has run)' }),
    };
  } catch (err) {
    const problem =
      apiStatus(err) === 404
        ? `no ${namespace}/${statusConfigMap} ConfigMap: Lifeboat is not installed in this cluster, or no backup has run`
        : apiError(err);
    return { context, nodes: [], problem };
  }
}

/** Every context of the kubeconfig, in its order, looked at in parallel. */
export async function discoverClusters(options: DiscoverOptions): Promise<ClusterFinding[]> {
  const kc = loadKubeconfig(options.kubeconfig);
  return Promise.all(kc.getContexts().map((c) => findCluster(kc, c.name, options)));
}
