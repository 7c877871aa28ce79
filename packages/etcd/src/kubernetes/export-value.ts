// `snapshot get -o yaml|json|raw`: one stored value as the user will use it.
// Complete objects become apply-ready manifests. Kinds decoded only as far as
// their metadata are shown with the full metadata and the exact stored bytes
// under a field no Kubernetes kind has, so `kubectl apply` (strict field
// validation) refuses them instead of creating a half-empty object.
import { type ApplyOptions, toApplyYaml, toJson, toYaml } from './apply-manifest.ts';
import { decodeObject } from './decode-object.ts';
import type { KubernetesObject } from './types.ts';

export type ExportFormat = 'yaml' | 'json' | 'raw';

/** The field that carries the stored value of a partially decoded object. */
export const storedValueField = 'x-lifeboat-stored-value';

/** raw: the bytes as stored. yaml/json: see decodeObject for the errors thrown. */
export function exportValue(value: Uint8Array, format: 'raw', options?: ApplyOptions): Uint8Array;
export function exportValue(value: Uint8Array, format: 'yaml' | 'json', options?: ApplyOptions): string;
export function exportValue(
  value: Uint8Array,
  format: ExportFormat,
  options?: ApplyOptions,
): string | Uint8Array;
export function exportValue(
  value: Uint8Array,
  format: ExportFormat,
  options: ApplyOptions = {},
): string | Uint8Array {
  if (format === 'raw') return value;
  const { object, complete } = decodeObject(value);
  if (complete) return format === 'yaml' ? toApplyYaml(object, options) : toJson(object, options);
  const partial: KubernetesObject = {
    ...object,
    [storedValueField]: { encoding: 'protobuf', base64: Buffer.from(value).toString('base64') },
  };
  if (format === 'json') return `${JSON.stringify(partial, null, 2)}\n`;
  return (
    `# ${object.kind} (${object.apiVersion}) is stored as protobuf and lifeboat decodes only its metadata.\n` +
    `# This is not an apply-able manifest: ${storedValueField} holds the exact etcd value (base64),\n` +
    '# the same bytes `-o raw` writes, which `etcdctl put` can store back.\n' +
    toYaml(partial)
  );
}
