// A snapshot's Kubernetes objects as people browse them: namespace → kind →
// name. Cluster-scoped objects get a namespace entry of their own; keys that
// are not objects (the apiserver's bookkeeping, other prefixes) are left out.
import type { SnapshotEntry } from '@lifeboat/agent/library';
import { entryOf } from '../tree/nodes.ts';

export const clusterScoped = '(cluster-scoped)';

export interface ObjectGroup {
  namespace: string;
  kinds: { kind: string; objects: SnapshotEntry[] }[];
}

export function groupObjects(entries: readonly SnapshotEntry[]): ObjectGroup[] {
  const byNamespace = new Map<string, Map<string, SnapshotEntry[]>>();
  for (const entry of entries) {
    if (entry.type !== 'object') continue;
    const namespace = entry.namespace || clusterScoped;
    // The kind from the stored object; a value that could not be read still has its resource.
    const kind = entry.kind ?? `${entry.resource ?? '?'}${entry.group ? `.${entry.group}` : ''}`;
    const kinds = entryOf(byNamespace, namespace, () => new Map<string, SnapshotEntry[]>());
    entryOf(kinds, kind, () => []).push(entry);
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return [...byNamespace.entries()]
    .sort(([a], [b]) => (a === clusterScoped ? -1 : b === clusterScoped ? 1 : byName(a, b)))
    .map(([namespace, kinds]) => ({
      namespace,
      kinds: [...kinds.entries()]
        .sort(([a], [b]) => byName(a, b))
        .map(([kind, objects]) => ({
          kind,
          objects: objects.sort((x, y) => byName(x.name ?? x.key, y.name ?? y.key)),
        })),
    }));
}
