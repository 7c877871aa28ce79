import type { SnapshotEntry } from '@lifeboat/agent/library';
import { describe, expect, it } from 'vitest';
import { clusterScoped, groupObjects } from '../src/opened/object-tree.ts';

const entry = (over: Partial<SnapshotEntry>): SnapshotEntry => ({
  key: `/registry/${over.resource ?? 'x'}/${over.namespace ?? ''}/${over.name ?? ''}`,
  type: 'object',
  size: 10,
  encoding: 'protobuf',
  createRevision: 1,
  modRevision: 1,
  version: 1,
  ...over,
});

describe('groupObjects', () => {
  it('groups namespace → kind → name, cluster-scoped first, internal keys left out', () => {
    const groups = groupObjects([
      entry({ namespace: 'team-b', kind: 'Secret', resource: 'secrets', name: 'tls' }),
      entry({ namespace: 'team-a', kind: 'ConfigMap', resource: 'configmaps', name: 'z' }),
      entry({ namespace: 'team-a', kind: 'ConfigMap', resource: 'configmaps', name: 'a' }),
      entry({ kind: 'Namespace', resource: 'namespaces', name: 'team-a' }),
      entry({ type: 'internal', key: '/registry/masterleases/10.0.0.1' }),
      // Encrypted at rest: no kind could be read, the resource names it.
      entry({ namespace: 'team-a', resource: 'secrets', name: 'sealed', encoding: 'encrypted' }),
      entry({ namespace: 'team-a', resource: 'widgets', group: 'example.dev', name: 'w' }),
    ]);
    expect(
      groups.map((g) => [g.namespace, g.kinds.map((k) => [k.kind, k.objects.map((o) => o.name)])]),
    ).toEqual([
      [clusterScoped, [['Namespace', ['team-a']]]],
      [
        'team-a',
        [
          ['ConfigMap', ['a', 'z']],
          ['secrets', ['sealed']],
          ['widgets.example.dev', ['w']],
        ],
      ],
      ['team-b', [['Secret', ['tls']]]],
    ]);
  });
});
