// What `lifeboat snapshot export` does once its flags are parsed; loaded on demand (see ../snapshot-export.ts).
import type { Io } from '../../io.ts';
import { exportSnapshot } from '../../operations/snapshot-export.ts';
import type { SnapshotExportArgs } from '../snapshot-export.ts';
import { readOptions, stdoutSink } from './snapshot-io.ts';

/** Lines are gathered into chunks of about this size before each (awaited) write. */
const chunkSize = 64 * 1024;

export async function snapshotExport(args: SnapshotExportArgs, io: Io): Promise<number> {
  const write = stdoutSink(io);
  const records = exportSnapshot(args.file, {
    ...readOptions(io, args.skipHashCheck),
    ...(args.prefix ? { prefix: args.prefix } : {}),
    ...(args.allRevisions ? { allRevisions: true } : {}),
  });
  let chunk = '';
  for await (const record of records) {
    chunk += `${JSON.stringify(record)}\n`;
    // Awaiting the write pauses the read: a slow reader of stdout holds memory constant.
    if (chunk.length >= chunkSize) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  return 0;
}
