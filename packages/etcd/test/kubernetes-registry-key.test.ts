import { describe, expect, it } from 'vitest';
import { normalizePrefix, parseRegistryKey } from '../src/kubernetes/index.ts';

const object = (
  key: string,
  resource: string,
  group: string | undefined,
  namespace: string | undefined,
  name: string,
) => ({
  type: 'object',
  key,
  resource,
  ...(group === undefined ? {} : { group }),
  ...(namespace === undefined ? {} : { namespace }),
  name,
});

describe('parseRegistryKey', () => {
  it.each([
    ['/registry/configmaps/kube-system/coredns', 'configmaps', '', 'kube-system', 'coredns'],
    ['/registry/secrets/default/db-tls', 'secrets', '', 'default', 'db-tls'],
    ['/registry/namespaces/default', 'namespaces', '', undefined, 'default'],
    ['/registry/minions/node-1', 'nodes', '', undefined, 'node-1'],
    ['/registry/controllers/default/rc', 'replicationcontrollers', '', 'default', 'rc'],
    ['/registry/services/specs/default/kubernetes', 'services', '', 'default', 'kubernetes'],
    ['/registry/services/endpoints/default/kubernetes', 'endpoints', '', 'default', 'kubernetes'],
    ['/registry/deployments/shop/web', 'deployments', 'apps', 'shop', 'web'],
    ['/registry/ingress/shop/web', 'ingresses', 'networking.k8s.io', 'shop', 'web'],
    [
      '/registry/clusterroles/system:basic-user',
      'clusterroles',
      'rbac.authorization.k8s.io',
      undefined,
      'system:basic-user',
    ],
    ['/registry/ipaddresses/10.96.0.1', 'ipaddresses', 'networking.k8s.io', undefined, '10.96.0.1'],
    [
      '/registry/clustertrustbundles/example.com:signer:abcd',
      'clustertrustbundles',
      'certificates.k8s.io',
      undefined,
      'example.com:signer:abcd',
    ],
    [
      '/registry/apiregistration.k8s.io/apiservices/v1.apps',
      'apiservices',
      'apiregistration.k8s.io',
      undefined,
      'v1.apps',
    ],
    [
      '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.dev',
      'customresourcedefinitions',
      'apiextensions.k8s.io',
      undefined,
      'widgets.example.dev',
    ],
    ['/registry/example.dev/widgets/shop/blue', 'widgets', 'example.dev', 'shop', 'blue'],
    ['/registry/example.dev/gadgets/global', 'gadgets', 'example.dev', undefined, 'global'],
  ])('%s', (key, resource, group, namespace, name) => {
    expect(parseRegistryKey(key)).toEqual(object(key, resource, group, namespace, name));
  });

  it.each([
    ['/registry/masterleases/10.0.0.1', 'master-lease', '10.0.0.1'],
    ['/registry/ranges/serviceips', 'allocation-range', 'serviceips'],
    ['/registry/ranges/servicenodeports', 'allocation-range', 'servicenodeports'],
    ['/registry/health', 'health', undefined],
    ['compact_rev_key', 'compaction', undefined],
  ])('classifies %s as the apiserver’s own state', (key, what, name) => {
    expect(parseRegistryKey(key)).toEqual({ type: 'internal', key, what, ...(name ? { name } : {}) });
  });

  it.each([
    ['outside the prefix', '/other/configmaps/default/x'],
    ['a sibling of the prefix', '/registry-old/configmaps/default/x'],
    ['the prefix itself', '/registry/'],
    ['an empty segment', '/registry/configmaps//x'],
    ['a trailing slash', '/registry/configmaps/default/x/'],
    ['a namespaced built-in without namespace', '/registry/configmaps/x'],
    ['a cluster-scoped built-in with a namespace', '/registry/namespaces/a/b'],
    ['an unknown services/ folder', '/registry/services/other/default/x'],
    ['services/specs without a namespace', '/registry/services/specs/x'],
    ['a bare services/ key', '/registry/services/x'],
    ['a range with a namespace', '/registry/ranges/a/b'],
    ['a master lease without an address', '/registry/masterleases'],
    ['a custom resource key that is too long', '/registry/example.dev/widgets/a/b/c'],
    ['a bare group', '/registry/example.dev/widgets'],
    ['a key without a slash', 'health'],
    ['an empty key', ''],
  ])('returns other for %s', (_what, key) => {
    expect(parseRegistryKey(key)).toEqual({ type: 'other', key });
  });

  it('does not mistake Object.prototype members for built-in resources', () => {
    const key = '/registry/constructor/x';
    expect(parseRegistryKey(key)).toEqual(object(key, 'constructor', undefined, undefined, 'x'));
    expect(parseRegistryKey('/registry/__proto__/ns/x')).toMatchObject({
      resource: '__proto__',
      namespace: 'ns',
    });
  });

  it('follows a non-default --etcd-prefix, normalised like kube-apiserver does', () => {
    for (const prefix of ['/k8s/registry', 'k8s/registry', '/k8s/registry/', '//k8s//registry']) {
      expect(parseRegistryKey('/k8s/registry/secrets/ns/s', { prefix })).toEqual(
        object('/k8s/registry/secrets/ns/s', 'secrets', '', 'ns', 's'),
      );
      expect(parseRegistryKey('/registry/secrets/ns/s', { prefix }).type).toBe('other');
    }
    expect(normalizePrefix()).toBe('/registry/');
    expect(normalizePrefix('/')).toBe('/');
    expect(parseRegistryKey('/secrets/ns/s', { prefix: '/' })).toEqual(
      object('/secrets/ns/s', 'secrets', '', 'ns', 's'),
    );
    expect(parseRegistryKey('compact_rev_key', { prefix: '/k8s' }).type).toBe('internal');
  });

  describe('resources the table does not know', () => {
    it('reads <resource>/<name> as cluster-scoped and <group>/<resource>/<ns>/<name> as grouped', () => {
      expect(parseRegistryKey('/registry/gizmos/one')).toEqual(
        object('/registry/gizmos/one', 'gizmos', undefined, undefined, 'one'),
      );
      expect(parseRegistryKey('/registry/acme/gizmos/ns/one')).toEqual(
        object('/registry/acme/gizmos/ns/one', 'gizmos', 'acme', 'ns', 'one'),
      );
    });

    it('resolves <a>/<b>/<c> with the decoded metadata.namespace', () => {
      const key = '/registry/gizmos/team-a/one';
      // No hint: a namespaced resource from a newer release is the likelier reading.
      expect(parseRegistryKey(key)).toEqual(object(key, 'gizmos', undefined, 'team-a', 'one'));
      expect(parseRegistryKey(key, { namespace: 'team-a' })).toEqual(
        object(key, 'gizmos', undefined, 'team-a', 'one'),
      );
      // Known cluster-scoped: group gizmos, resource team-a.
      expect(parseRegistryKey(key, { namespace: '' })).toEqual(
        object(key, 'team-a', 'gizmos', undefined, 'one'),
      );
    });

    it('does not let the hint override what the table knows', () => {
      const key = '/registry/configmaps/default/x';
      expect(parseRegistryKey(key, { namespace: '' })).toEqual(object(key, 'configmaps', '', 'default', 'x'));
    });
  });
});
