// The status ConfigMap "lifeboat-status": one set of keys per node, so every
// node's CronJob updates only its own keys with a JSON merge patch, without
// reading first and without conflicts between nodes.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { redactUrls } from '@lifeboat/stores';
import { apiStatus, type ClusterClient } from './client.ts';

export const statusConfigMap = 'lifeboat-status';

/**
 * Cluster-wide keys beside the per-node ones: the cluster's name and the
 * store its backups go to (credentials in a URL replaced by "***"), which is
 * how the VS Code extension finds a cluster's backups from a kubeconfig.
 */
export const clusterKey = 'cluster';
export const storeKey = 'store';

export interface NodeStatus {
  lastOutcome?: 'Succeeded' | 'Failed';
  lastSuccessTime?: string;
  lastSuccessId?: string;
  lastSuccessBytes?: number;
  lastSuccessRevision?: number;
  lastDurationSeconds?: number;
  lastFailureTime?: string;
  lastFailureReason?: string;
  failuresTotal?: number;
}

const keys: Record<keyof NodeStatus, string> = {
  lastOutcome: 'last-outcome',
  lastSuccessTime: 'last-success-time',
  lastSuccessId: 'last-success-id',
  lastSuccessBytes: 'last-success-bytes',
  lastSuccessRevision: 'last-success-revision',
  lastDurationSeconds: 'last-duration-seconds',
  lastFailureTime: 'last-failure-time',
  lastFailureReason: 'last-failure-reason',
  failuresTotal: 'failures-total',
};

const numeric = new Set<keyof NodeStatus>([
  'lastSuccessBytes',
  'lastSuccessRevision',
  'lastDurationSeconds',
  'failuresTotal',
]);

/** ConfigMap keys allow [-._a-zA-Z0-9]; node names are DNS-1123, so "<node>.<field>" always fits. */
export function statusKey(node: string, field: keyof NodeStatus): string {
  return `${node}.${keys[field]}`;
}

export function statusData(node: string, status: NodeStatus): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [field, value] of Object.entries(status) as [keyof NodeStatus, unknown][]) {
    if (value !== undefined) data[statusKey(node, field)] = String(value);
  }
  return data;
}

export function parseStatus(data: Record<string, string> | undefined, node: string): NodeStatus {
  const status: Record<string, unknown> = {};
  for (const field of Object.keys(keys) as (keyof NodeStatus)[]) {
    const raw = data?.[statusKey(node, field)];
    if (raw === undefined) continue;
    if (numeric.has(field)) {
      const n = Number(raw);
      if (Number.isFinite(n)) status[field] = n;
    } else status[field] = raw;
  }
  return status as NodeStatus;
}

/** The nodes that have reported into the ConfigMap's data, sorted. */
export function statusNodes(data: Record<string, string> | undefined): string[] {
  const nodes = new Set<string>();
  for (const key of Object.keys(data ?? {})) {
    for (const field of Object.values(keys)) {
      // Node names may hold dots themselves; the field name is what ends the key.
      if (key.endsWith(`.${field}`) && key.length > field.length + 1)
        nodes.add(key.slice(0, -field.length - 1));
    }
  }
  return [...nodes].sort();
}

/** This node's last status, or an empty one when the ConfigMap does not exist yet. */
export async function readStatus(client: ClusterClient, node: string): Promise<NodeStatus> {
  try {
    const cm = await client.core.readNamespacedConfigMap({
      name: statusConfigMap,
      namespace: client.namespace,
    });
    return parseStatus(cm.data, node);
  } catch (err) {
    if (apiStatus(err) === 404) return {};
    throw err;
  }
}

/** Merge-patches this node's keys into the ConfigMap, creating it when missing. */
export async function writeStatus(
  client: ClusterClient,
  cluster: string,
  node: string,
  status: NodeStatus,
  store?: string,
): Promise<V1ConfigMap> {
  const data = {
    [clusterKey]: cluster,
    ...(store ? { [storeKey]: redactUrls(store) } : {}),
    ...statusData(node, status),
  };
  const { namespace } = client;
  // Already loaded by clusterClient(); imported here too so a backup without a cluster never loads it.
  const { PatchStrategy, setHeaderOptions } = await import('./api.ts');
  try {
    return await client.core.patchNamespacedConfigMap(
      { name: statusConfigMap, namespace, body: { data }, fieldManager: 'lifeboat' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    if (apiStatus(err) !== 404) throw err;
  }
  const body: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: statusConfigMap,
      namespace,
      labels: { 'app.kubernetes.io/name': 'lifeboat', 'app.kubernetes.io/component': 'status' },
    },
    data,
  };
  try {
    return await client.core.createNamespacedConfigMap({ namespace, body, fieldManager: 'lifeboat' });
  } catch (err) {
    // Another node created it in between: patch again.
    if (apiStatus(err) !== 409) throw err;
    return await client.core.patchNamespacedConfigMap(
      { name: statusConfigMap, namespace, body: { data }, fieldManager: 'lifeboat' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}
