// What `lifeboat list` does once its flags are parsed; loaded on demand (see ../list.ts).
import { loadSettings } from '../../config/load.ts';
import type { Io } from '../../io.ts';
import { mib } from '../../log.ts';
import { listBackups } from '../../operations/list.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { columns, json } from '../../output.ts';
import { listSettings as fields, type ListArgs } from '../list.ts';

export async function list(args: ListArgs, io: Io): Promise<number> {
  const settings = await loadSettings(fields, {
    flags: args.flags,
    env: io.env,
    ...(args.config ? { file: args.config } : {}),
  });
  const store = await storeFromSettings(settings, io.env);
  // Cluster and node filter only when given here: list's defaults are "everything".
  const cluster = args.flags['cluster'] as string | undefined;
  const node = args.flags['node'] as string | undefined;
  const backups = await listBackups(store, { ...(cluster ? { cluster } : {}), ...(node ? { node } : {}) });
  if (args.output === 'json') {
    io.stdout(json(backups));
    return 0;
  }
  if (backups.length === 0) {
    io.stdout(`no backups in ${store.location}\n`);
    return 0;
  }
  const rows = backups.map((b) => [
    b.id,
    b.cluster,
    b.node,
    b.state,
    b.payloadSize !== undefined ? mib(b.payloadSize) : '-',
    b.metadata ? String(b.metadata.etcd.revision) : '-',
    b.metadata ? b.metadata.etcd.serverVersion : (b.problem ?? ''),
  ]);
  const header = ['ID', 'CLUSTER', 'NODE', 'STATE', 'SIZE', 'REVISION', 'ETCD'];
  io.stdout(columns(header, rows));
  return 0;
}
