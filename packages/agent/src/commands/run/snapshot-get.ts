// What `lifeboat snapshot get` does once its flags are parsed; loaded on demand (see ../snapshot-get.ts).
import { LifeboatError } from '@lifeboat/core';
import type { Io } from '../../io.ts';
import { getSnapshotObject } from '../../operations/snapshot-get.ts';
import type { SnapshotGetArgs } from '../snapshot-get.ts';
import { readOptions, stdoutSink } from './snapshot-io.ts';

export async function snapshotGet(args: SnapshotGetArgs, io: Io): Promise<number> {
  if (args.output === 'raw' && !io.writeStdout) {
    // Bytes through a text channel would be silently re-encoded: refuse instead.
    throw new LifeboatError('usage', '-o raw needs a binary stdout, which this caller does not provide');
  }
  const { output } = await getSnapshotObject(args.file, args.key, args.output, {
    ...readOptions(io, args.skipHashCheck),
    ...(args.keepOwnerReferences ? { keepOwnerReferences: true } : {}),
  });
  if (typeof output === 'string') await stdoutSink(io)(output);
  else await io.writeStdout!(output);
  return 0;
}
