// A stored value as a plain Kubernetes object. JSON documents pass through;
// protobuf kinds we know field by field (ConfigMap, Secret) are decoded in
// full; any other protobuf kind gets its metadata, and the caller is told the
// body was not decoded so it can show the stored bytes instead of hiding them.
import { LifeboatError } from '@lifeboat/core';
import { decodeConfigMapBody } from './configmap.ts';
import { type DecodedValue, decodeValue } from './decode-value.ts';
import { decodeSecretBody } from './secret.ts';
import type { KubernetesObject } from './types.ts';

export interface DecodedObject {
  object: KubernetesObject;
  /** false when only apiVersion, kind and metadata were decoded. */
  complete: boolean;
  encoding: 'protobuf' | 'json';
}

/** Protobuf bodies decoded field by field, by "apiVersion/kind". */
const bodyDecoders: Record<string, (raw: Uint8Array) => Record<string, unknown>> = {
  'v1/ConfigMap': decodeConfigMapBody,
  'v1/Secret': decodeSecretBody,
};

/** The kinds whose protobuf form decodeObject turns into complete objects. */
export const fullyDecodedKinds = Object.keys(bodyDecoders);

/**
 * Throws LifeboatError('crypto') for values encrypted at rest and 'usage' for
 * values that are not Kubernetes objects: both can still be exported raw.
 */
export function decodeObject(value: Uint8Array | DecodedValue): DecodedObject {
  const decoded = value instanceof Uint8Array ? decodeValue(value) : value;
  switch (decoded.encoding) {
    case 'json': {
      const json = decoded.json!;
      if (!decoded.apiVersion || !decoded.kind) {
        throw new LifeboatError('integrity', 'JSON value has no apiVersion/kind: not a Kubernetes object');
      }
      return { object: json as KubernetesObject, complete: true, encoding: 'json' };
    }
    case 'protobuf': {
      const apiVersion = decoded.apiVersion!;
      const kind = decoded.kind!;
      const head: KubernetesObject = { apiVersion, kind, metadata: decoded.metadata ?? {} };
      const body = bodyDecoders[`${apiVersion}/${kind}`];
      if (!body) return { object: head, complete: false, encoding: 'protobuf' };
      return { object: { ...head, ...body(decoded.raw!) }, complete: true, encoding: 'protobuf' };
    }
    case 'encrypted': {
      const { provider, providerVersion, keyName } = decoded.encryption!;
      const by = `${provider} ${providerVersion}${keyName ? `, key '${keyName}'` : ''}`;
      throw new LifeboatError(
        'crypto',
        `value is encrypted at rest (${by}); lifeboat does not decrypt it — export it raw instead`,
      );
    }
    default:
      throw new LifeboatError(
        'usage',
        'value is not a Kubernetes object (no protobuf magic, not JSON); export it raw',
      );
  }
}
