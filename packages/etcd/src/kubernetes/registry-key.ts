// What an etcd key written by kube-apiserver names. Objects live at
// <prefix>/<resource>/[<namespace>/]<name> for built-ins (no API group in the
// key) and <prefix>/<group>/<resource>/[<namespace>/]<name> for custom
// resources, CRDs and APIServices; a few keys hold the apiserver's own state.
import { posix } from 'node:path';
import { type BuiltinResource, builtinResources } from './builtin-resources.ts';

/** kube-apiserver's default --etcd-prefix. */
export const defaultEtcdPrefix = '/registry';

export interface ObjectKey {
  type: 'object';
  key: string;
  resource: string;
  /** "" for the core group; undefined when the key does not say and the resource is not built in. */
  group?: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** Keys kube-apiserver writes for itself, not API objects. */
export interface InternalKey {
  type: 'internal';
  key: string;
  what: 'master-lease' | 'allocation-range' | 'compaction' | 'health';
  /** The lease's IP or the range's name. */
  name?: string;
}

/** Outside the prefix, or not shaped like any key kube-apiserver writes. */
export interface OtherKey {
  type: 'other';
  key: string;
}

export type RegistryKey = ObjectKey | InternalKey | OtherKey;

export interface ParseKeyOptions {
  /** kube-apiserver's --etcd-prefix; default /registry. */
  prefix?: string;
  /**
   * metadata.namespace of the decoded value: "" when the value is known to be
   * cluster-scoped, undefined when not known. Used only where the key alone is
   * ambiguous: an unknown resource at <prefix>/a/b/c is either resource a in
   * namespace b, or group a, resource b, cluster-scoped.
   */
  namespace?: string;
}

/** The prefix as kube-apiserver normalises it: path.Join("/", prefix) + "/". */
export function normalizePrefix(prefix: string = defaultEtcdPrefix): string {
  const joined = posix.join('/', prefix);
  return joined.endsWith('/') ? joined : `${joined}/`;
}

export function parseRegistryKey(key: string, options: ParseKeyOptions = {}): RegistryKey {
  // compact_rev_key sits at the root, outside any prefix (apiserver storage/etcd3/compact.go).
  if (key === 'compact_rev_key') return { type: 'internal', key, what: 'compaction' };
  const prefix = normalizePrefix(options.prefix);
  if (!key.startsWith(prefix)) return { type: 'other', key };
  const segments = key.slice(prefix.length).split('/');
  if (segments.some((s) => s === '')) return { type: 'other', key };
  const [first, ...rest] = segments as [string, ...string[]];

  // Folders with a fixed layout: the apiserver's own state, and Services with their Endpoints.
  if (Object.hasOwn(fixedLayouts, first)) return fixedLayouts[first]!(key, rest) ?? { type: 'other', key };

  // CRD groups must contain a dot, built-in key segments never do.
  if (first.includes('.')) return grouped(key, first, rest);

  if (Object.hasOwn(builtinResources, first)) {
    const known: BuiltinResource = builtinResources[first]!;
    if (known.namespaced && rest.length === 2) {
      return object(key, known.resource, known.group, rest[0], rest[1]!);
    }
    if (!known.namespaced && rest.length === 1) {
      return object(key, known.resource, known.group, undefined, rest[0]!);
    }
    return { type: 'other', key };
  }

  // A resource this table does not know (newer release, or another apiserver sharing etcd).
  if (rest.length === 1) return object(key, first, undefined, undefined, rest[0]!);
  if (rest.length === 2) {
    // Without a hint, a namespaced built-in from a newer release is the likelier reading.
    if (options.namespace === '') return grouped(key, first, rest);
    return object(key, first, undefined, rest[0], rest[1]!);
  }
  if (rest.length === 3) return grouped(key, first, rest);
  return { type: 'other', key };
}

/** <group>/<resource>/[<namespace>/]<name>, the layout of custom resources and aggregated kinds. */
function grouped(key: string, group: string, rest: string[]): RegistryKey {
  if (rest.length === 2) return object(key, rest[0]!, group, undefined, rest[1]!);
  if (rest.length === 3) return object(key, rest[0]!, group, rest[1], rest[2]!);
  return { type: 'other', key };
}

type LayoutParser = (key: string, rest: string[]) => RegistryKey | undefined;

const fixedLayouts: Readonly<Record<string, LayoutParser>> = {
  masterleases: (key, rest) =>
    rest.length === 1 ? { type: 'internal', key, what: 'master-lease', name: rest[0]! } : undefined,
  ranges: (key, rest) =>
    rest.length === 1 ? { type: 'internal', key, what: 'allocation-range', name: rest[0]! } : undefined,
  health: (key, rest) => (rest.length === 0 ? { type: 'internal', key, what: 'health' } : undefined),
  // services/specs/<ns>/<name> and services/endpoints/<ns>/<name> share one folder.
  services: (key, [folder, namespace, name, ...more]) => {
    if (!name || more.length > 0) return undefined;
    if (folder === 'specs') return object(key, 'services', '', namespace, name);
    if (folder === 'endpoints') return object(key, 'endpoints', '', namespace, name);
    return undefined;
  },
};

function object(
  key: string,
  resource: string,
  group: string | undefined,
  namespace: string | undefined,
  name: string,
): ObjectKey {
  return {
    type: 'object',
    key,
    resource,
    ...(group === undefined ? {} : { group }),
    ...(namespace === undefined ? {} : { namespace }),
    name,
  };
}
