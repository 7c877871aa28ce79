// The elements of the Backups view: source → cluster → node → backup, plus
// "show more" at the end of a long node and messages where a level could not
// be read. Plain data; backups-provider.ts turns them into tree items.
import type { ListedBackup } from '@lifeboat/agent/library';
import type { CatalogEntry } from '@lifeboat/stores';
import type { ClusterFinding } from '../sources/clusters.ts';
import type { BackupSource } from '../sources/source.ts';

export interface SourceNode {
  kind: 'source';
  source: BackupSource;
  /** For a source found through a kube context: what its agent reports. */
  finding?: ClusterFinding;
}

export interface ClusterNode {
  kind: 'cluster';
  source: BackupSource;
  cluster: string;
  entries: CatalogEntry[];
}

export interface NodeNode {
  kind: 'node';
  source: BackupSource;
  cluster: string;
  node: string;
  /** Newest first. */
  entries: CatalogEntry[];
}

export interface BackupNode {
  kind: 'backup';
  source: BackupSource;
  backup: ListedBackup;
}

export interface MoreNode {
  kind: 'more';
  parent: NodeNode;
  remaining: number;
}

export interface MessageNode {
  kind: 'message';
  id: string;
  text: string;
  detail?: string;
  severity: 'info' | 'warning' | 'error';
  /** A command the message offers (e.g. open settings). */
  command?: { command: string; title: string; arguments?: unknown[] };
}

export type BackupsNode = SourceNode | ClusterNode | NodeNode | BackupNode | MoreNode | MessageNode;

/** Stable ids, so VS Code keeps what is expanded across refreshes. */
export function nodeId(node: BackupsNode): string {
  switch (node.kind) {
    case 'source':
      return `source:${node.source.url}:${node.finding?.context ?? ''}`;
    case 'cluster':
      return `cluster:${node.source.url}:${node.cluster}`;
    case 'node':
      return `node:${node.source.url}:${node.cluster}/${node.node}`;
    case 'backup':
      return `backup:${node.source.url}:${node.backup.cluster}/${node.backup.node}/${node.backup.id}`;
    case 'more':
      return `more:${nodeId(node.parent)}`;
    case 'message':
      return `message:${node.id}`;
  }
}

/** Entries grouped by cluster, then node, in name order; entries keep their order (newest first). */
export function groupEntries(entries: readonly CatalogEntry[]): Map<string, Map<string, CatalogEntry[]>> {
  const clusters = new Map<string, Map<string, CatalogEntry[]>>();
  const sorted = [...entries].sort(
    (a, b) => a.cluster.localeCompare(b.cluster) || a.node.localeCompare(b.node) || b.id.localeCompare(a.id),
  );
  for (const e of sorted) {
    const nodes = entryOf(clusters, e.cluster, () => new Map<string, CatalogEntry[]>());
    entryOf(nodes, e.node, () => []).push(e);
  }
  return clusters;
}

/** map.get(key), after setting it to make() when absent. */
export function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
