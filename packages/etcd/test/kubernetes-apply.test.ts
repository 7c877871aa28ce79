import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type KubernetesObject,
  lastAppliedAnnotation,
  stripServerFields,
  toApplyYaml,
  toJson,
} from '../src/kubernetes/index.ts';

const stored: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'cfg',
    namespace: 'shop',
    selfLink: '/api/v1/namespaces/shop/configmaps/cfg',
    uid: '1f0c',
    resourceVersion: '42',
    generation: 2,
    creationTimestamp: '2026-01-01T00:00:00Z',
    deletionTimestamp: '2026-01-02T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    labels: { app: 'shop' },
    annotations: { [lastAppliedAnnotation]: '{}', team: 'payments' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop', uid: '9a9a' }],
    finalizers: ['example.dev/keep'],
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  data: { 'a.conf': 'x' },
  status: { phase: 'whatever' },
};

describe('apply manifests', () => {
  it('strips what the server manages and keeps what the user wrote', () => {
    expect(stripServerFields(stored)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cfg',
        namespace: 'shop',
        labels: { app: 'shop' },
        annotations: { team: 'payments' },
        finalizers: ['example.dev/keep'],
      },
      data: { 'a.conf': 'x' },
    });
  });

  it('keeps ownerReferences only when asked', () => {
    expect(stripServerFields(stored, { keepOwnerReferences: true }).metadata.ownerReferences).toEqual(
      stored.metadata.ownerReferences,
    );
  });

  it('drops annotations that held only last-applied-configuration, and leaves the input alone', () => {
    const only = { ...stored, metadata: { name: 'x', annotations: { [lastAppliedAnnotation]: '{}' } } };
    expect(stripServerFields(only).metadata).toEqual({ name: 'x' });
    expect(only.metadata.annotations).toEqual({ [lastAppliedAnnotation]: '{}' });
    expect(stored.metadata.uid).toBe('1f0c');
  });

  it('puts apiVersion, kind and metadata first', () => {
    const shuffled = { data: { a: 'b' }, metadata: { name: 'x' }, kind: 'ConfigMap', apiVersion: 'v1' };
    expect(Object.keys(stripServerFields(shuffled))).toEqual(['apiVersion', 'kind', 'metadata', 'data']);
  });

  it('writes YAML that a YAML 1.1 reader (kubectl) reads back as the same strings', () => {
    const tricky = {
      yes: 'yes',
      on: 'on',
      n: 'n',
      octal: '0755',
      sexagesimal: '1:20',
      null: 'null',
      tilde: '~',
      float: '1e3',
      multi: 'a\nb\n',
      long: 'x'.repeat(300),
    };
    const yaml = toApplyYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { on: 'yes' } },
      data: tricky,
    });
    const back = parse(yaml, { version: '1.1' }) as KubernetesObject;
    expect(back['data']).toEqual(tricky);
    expect(back.metadata.labels).toEqual({ on: 'yes' });
    expect(yaml).toContain('multi: |\n');
    expect(yaml).toContain(`long: ${'x'.repeat(300)}\n`);
  });

  it('writes the same manifest as JSON', () => {
    const json = toJson(stored);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(stripServerFields(stored));
  });
});
