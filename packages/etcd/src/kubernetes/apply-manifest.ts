// Objects read back from etcd, turned into manifests that `kubectl apply`
// (client- or server-side) accepts to recreate them: fields the server owns
// are removed, the rest — names, labels, annotations, data, spec — is kept.
import { stringify } from 'yaml';
import { isRecord } from './decode-value.ts';
import type { KubernetesObject, ObjectMeta } from './types.ts';

export interface ApplyOptions {
  /**
   * Keep metadata.ownerReferences (default false). They name owners by uid: an
   * object restored after its owner was recreated (new uid) or deleted is
   * collected again by the garbage collector at once, so by default the
   * restored object stands alone and its owner's controller may adopt it.
   */
  keepOwnerReferences?: boolean;
}

/** Set by the server on every write; a create that carries them is refused or misleading. */
const serverMetadata = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
] as const;

/** kubectl's client-side apply bookkeeping: stale once the object is recreated. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A copy without server-managed fields: the metadata above, status, and the
 * last-applied annotation (and ownerReferences unless asked to keep them).
 * Finalizers are kept: they are desired state that their controllers re-assert.
 */
export function stripServerFields(object: KubernetesObject, options: ApplyOptions = {}): KubernetesObject {
  const { status: _status, metadata, ...rest } = structuredClone(object);
  const meta: ObjectMeta = isRecord(metadata) ? metadata : {};
  for (const field of serverMetadata) delete meta[field];
  if (!options.keepOwnerReferences) delete meta.ownerReferences;
  if (meta.annotations) {
    delete meta.annotations[lastAppliedAnnotation];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  const { apiVersion, kind, ...body } = rest;
  return { apiVersion, kind, metadata: meta, ...body };
}

/**
 * YAML for `kubectl apply -f` or a server-side apply patch. Written for YAML
 * 1.1 readers (kubectl's sigs.k8s.io/yaml): strings such as "yes", "on" or
 * "0123" are quoted so they stay strings; no line folding.
 */
export function toApplyYaml(object: KubernetesObject, options: ApplyOptions = {}): string {
  return toYaml(stripServerFields(object, options));
}

/** The same manifest as JSON (what `kubectl apply -f x.json` and the REST API take). */
export function toJson(object: KubernetesObject, options: ApplyOptions = {}): string {
  return `${JSON.stringify(stripServerFields(object, options), null, 2)}\n`;
}

export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}
