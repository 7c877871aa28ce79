import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApiserver, startControlPlane } from './kube-apiserver.ts';

describe('kube-apiserver on a kubeadm-style etcd', () => {
  let cp: KubeApiserver;
  beforeAll(async () => {
    cp = await startControlPlane();
  }, 240_000);
  afterAll(() => cp?.stop());

  it('serves /readyz', async () => {
    const res = await cp.admin.call('GET', `${cp.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.body.trim()).toBe('ok');
  });

  it('accepts a server-side dry-run of a ConfigMap without storing it', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: 'b' } };
    const res = await cp.admin.call('POST', `${cp.url}/api/v1/namespaces/default/configmaps?dryRun=All`, cm);
    expect(res.status).toBe(201);
    expect(res.json<{ metadata: { name: string } }>().metadata.name).toBe('dry');
    const get = await cp.admin.call('GET', `${cp.url}/api/v1/namespaces/default/configmaps/dry`);
    expect(get.status).toBe(404);
  });

  it('stores real objects in etcd under /registry', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'real' }, data: { a: 'b' } };
    expect((await cp.admin.call('POST', `${cp.url}/api/v1/namespaces/default/configmaps`, cm)).status).toBe(
      201,
    );
    const raw = await cp.etcd.etcdctl(['get', '/registry/configmaps/default/real', '--print-value-only']);
    expect(raw.startsWith('k8s\0')).toBe(true);
  });

  it('refuses a client without a certificate', async () => {
    const { httpsClient } = await import('./https.ts');
    const { join } = await import('node:path');
    const anonymous = httpsClient({ cacert: join(cp.etcd.members[0]!.tree.dir, 'pki/ca.crt') });
    const res = await anonymous.call('GET', `${cp.url}/api/v1/namespaces/default/configmaps`);
    anonymous.close();
    expect(res.status).toBe(403);
  });
});
