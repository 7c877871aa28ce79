// What `lifeboat snapshot status` does once its flags are parsed; loaded on demand (see ../snapshot-status.ts).
import type { Io } from '../../io.ts';
import { statusOfSnapshot, statusTable } from '../../operations/snapshot-status.ts';
import { fewerFullGcs } from '../../young-gc.ts';
import type { SnapshotStatusArgs } from '../snapshot-status.ts';

export async function snapshotStatusCli(args: SnapshotStatusArgs, io: Io): Promise<number> {
  fewerFullGcs(); // the time target matters here; the walk's memory is pages, not garbage
  const { status } = await statusOfSnapshot(args.file, args.semantics ? { semantics: args.semantics } : {});
  // Compact JSON on one line, as etcdutl prints it, so scripts can swap one for the other.
  io.stdout(args.output === 'json' ? `${JSON.stringify(status)}\n` : statusTable(status));
  return 0;
}
