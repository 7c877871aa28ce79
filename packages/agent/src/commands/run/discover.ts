// What `lifeboat discover` does once its flags are parsed; loaded on demand (see ../discover.ts).
import type { Io } from '../../io.ts';
import { discoverEtcd } from '../../operations/discover.ts';
import { json, keyValueTable } from '../../output.ts';
import type { DiscoverArgs } from '../discover.ts';

export async function discover(args: DiscoverArgs, io: Io): Promise<number> {
  const found = await discoverEtcd(args.kubernetesDir);
  if (args.output === 'json') {
    io.stdout(json(found));
    return 0;
  }
  io.stdout(
    keyValueTable([
      ['manifest', found.manifest],
      ['endpoints', found.endpoints.join(', ')],
      ['cacert', found.cacert],
      ['cert', found.cert],
      ['key', found.key],
      ['member name', found.memberName],
      ['data dir', found.dataDir],
      ['initial cluster', found.initialCluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')],
      ['cluster state', found.initialClusterState],
      ...(found.image ? [['image', found.image] as const] : []),
    ]),
  );
  return 0;
}
