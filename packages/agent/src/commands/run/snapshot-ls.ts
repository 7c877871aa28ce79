// What `lifeboat snapshot ls` does once its flags are parsed; loaded on demand (see ../snapshot-ls.ts).
import type { Io } from '../../io.ts';
import { listSnapshot, snapshotEntries, writeSnapshotTable } from '../../operations/snapshot-ls.ts';
import { json } from '../../output.ts';
import { collectAllGarbage, fewerFullGcs, keepHeapSmall, noTurbofan } from '../../young-gc.ts';
import type { SnapshotLsArgs } from '../snapshot-ls.ts';
import { lineSink, readOptions, stdoutSink } from './snapshot-io.ts';

export async function snapshotLs(args: SnapshotLsArgs, io: Io): Promise<number> {
  const options = {
    ...readOptions(io, args.skipHashCheck),
    ...(args.prefix ? { prefix: args.prefix } : {}),
    ...(args.etcdPrefix ? { etcdPrefix: args.etcdPrefix } : {}),
  };
  let undecodable = 0;
  if (args.output === 'jsonl') {
    // Streams: constant memory whatever the db size, in the file's order (mod revision).
    keepHeapSmall();
    const out = lineSink(io);
    for await (const entry of snapshotEntries(args.file, options)) {
      if (entry.error) undecodable++;
      const written = out.line(JSON.stringify(entry));
      if (written) await written;
    }
    await out.end();
  } else if (args.output === 'table') {
    // Sorting holds one compact row per key, off the JavaScript heap (see writeSnapshotTable).
    // ls has no time target: V8 is asked to favour a small heap over speed, as for -o jsonl,
    // and not to use TurboFan (its compile jobs' memory bursts), the file is read with less
    // memory (smallMemory), and a full GC frees the walk's buffers before the table is written.
    keepHeapSmall();
    noTurbofan();
    const out = lineSink(io);
    const read = { ...options, smallMemory: true };
    ({ undecodable } = await writeSnapshotTable(args.file, read, (text) => out.line(text), {
      read: collectAllGarbage,
    }));
    await out.end();
  } else {
    // One JSON array holds every entry by design (-o jsonl streams).
    fewerFullGcs();
    const entries = await listSnapshot(args.file, options);
    undecodable = entries.filter((e) => e.error).length;
    await stdoutSink(io)(json(entries));
  }
  if (undecodable > 0) {
    io.stderr(
      `lifeboat: warning: ${undecodable} value${undecodable === 1 ? '' : 's'} could not be decoded (ENCODING ends in "!"; the error is in -o json)\n`,
    );
  }
  return 0;
}
