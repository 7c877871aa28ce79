import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillEtcd, kubernetesObjects } from './data.ts';
import { type EtcdCluster, startEtcd } from './etcd.ts';

describe('Kubernetes-shaped data', () => {
  it('is deterministic for a seed and mixes kinds', () => {
    const take = (seed: number) => {
      const out = [];
      const it = kubernetesObjects(seed);
      for (let i = 0; i < 500; i++) out.push(it.next().value!);
      return out;
    };
    const a = take(7);
    expect(a.map((o) => o.key)).toEqual(take(7).map((o) => o.key));
    const kinds = new Set(a.map((o) => o.kind));
    expect([...kinds].sort()).toEqual(['ConfigMap', 'Deployment', 'Namespace', 'Secret', 'Widget']);
    for (const o of a) {
      if (o.kind === 'Widget') expect(JSON.parse(o.value.toString()).metadata.name).toBe(o.name);
      else expect(o.value.subarray(0, 4).toString('latin1')).toBe('k8s\0');
      expect(o.key.endsWith(`/${o.name}`)).toBe(true);
    }
  });

  describe('filling a real etcd', () => {
    let cluster: EtcdCluster;
    beforeAll(async () => {
      cluster = await startEtcd({ version: '3.6' });
    });
    afterAll(() => cluster?.stop());

    it('reaches the target database size', async () => {
      const target = 8 * 1024 * 1024;
      const result = await fillEtcd(cluster, { targetBytes: target });
      expect(result.dbSize).toBeGreaterThanOrEqual(target);
      const fields = await cluster.etcdctl(['get', '/registry/', '--prefix', '--count-only', '-w', 'fields']);
      expect(Number(/"Count" : (\d+)/.exec(fields)?.[1])).toBe(result.keys);
    });
  });
});
