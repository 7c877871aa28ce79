import { describe, expect, it } from 'vitest';
import { summarize } from '../src/kubernetes/index.ts';
import { encode } from '../src/protobuf/wire.ts';

function envelope(apiVersion: string, kind: string, meta: { name: string; namespace?: string }): Buffer {
  const metadata = encode([
    { number: 1, bytes: meta.name },
    meta.namespace ? { number: 3, bytes: meta.namespace } : undefined,
  ]);
  const typeMeta = encode([
    { number: 1, bytes: apiVersion },
    { number: 2, bytes: kind },
  ]);
  const raw = encode([{ number: 1, bytes: metadata }]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    encode([
      { number: 1, bytes: typeMeta },
      { number: 2, bytes: raw },
    ]),
  ]);
}

describe('summarize', () => {
  it('lists a protobuf object with its resource, group, kind and size', () => {
    const value = envelope('apps/v1', 'Deployment', { name: 'web', namespace: 'shop' });
    expect(summarize('/registry/deployments/shop/web', value)).toEqual({
      key: '/registry/deployments/shop/web',
      type: 'object',
      resource: 'deployments',
      group: 'apps',
      namespace: 'shop',
      name: 'web',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      size: value.length,
      encoding: 'protobuf',
    });
  });

  it('lets the decoded metadata settle an ambiguous key', () => {
    const clusterScoped = envelope('acme/v1', 'Gizmo', { name: 'one' });
    expect(summarize('/registry/acme/gizmos/one', clusterScoped)).toMatchObject({
      group: 'acme',
      resource: 'gizmos',
      name: 'one',
    });
    const namespaced = envelope('v9', 'Gizmo', { name: 'one', namespace: 'team' });
    expect(summarize('/registry/gizmos/team/one', namespaced)).toMatchObject({
      resource: 'gizmos',
      namespace: 'team',
      name: 'one',
    });
  });

  it('reports provider and key name of an encrypted value', () => {
    const value = Buffer.from('k8s:enc:secretbox:v1:box1:\x00\x01\x02');
    expect(summarize('/k8s/secrets/ns/s', value, { prefix: '/k8s' })).toEqual({
      key: '/k8s/secrets/ns/s',
      type: 'object',
      resource: 'secrets',
      group: '',
      namespace: 'ns',
      name: 's',
      size: value.length,
      encoding: 'encrypted',
      provider: 'secretbox',
      keyName: 'box1',
    });
  });

  it('lists the apiserver’s own keys as internal', () => {
    expect(summarize('compact_rev_key', Buffer.from('1234'))).toEqual({
      key: 'compact_rev_key',
      type: 'internal',
      size: 4,
      encoding: 'unknown',
    });
    const lease = envelope('v1', 'Endpoints', { name: 'kubernetes', namespace: 'default' });
    expect(summarize('/registry/masterleases/10.0.0.1', lease)).toMatchObject({
      type: 'internal',
      name: '10.0.0.1',
      kind: 'Endpoints',
    });
  });

  it('lists a damaged value with its error instead of throwing', () => {
    const value = envelope('v1', 'ConfigMap', { name: 'cfg', namespace: 'ns' });
    const cut = value.subarray(0, value.length - 3);
    const summary = summarize('/registry/configmaps/ns/cfg', cut);
    expect(summary).toMatchObject({
      type: 'object',
      resource: 'configmaps',
      name: 'cfg',
      encoding: 'protobuf',
      size: cut.length,
    });
    expect(summary.error).toMatch(/^integrity: malformed /);
    expect(summary.kind).toBeUndefined();
    expect(summarize('/registry/x.dev/ws/w', Buffer.from('{"kind":')).error).toMatch(
      /^integrity: malformed JSON/,
    );
  });
});
