// Stdout and reading options shared by the snapshot commands' implementations.
import type { Io } from '../../io.ts';
import type { SnapshotReadOptions } from '../../operations/snapshot-ls.ts';

/** Text to stdout: with backpressure where the Io has it (long listings, exports). */
export function stdoutSink(io: Io): (text: string) => Promise<void> {
  return io.writeStdout
    ? io.writeStdout
    : async (text) => {
        io.stdout(text);
      };
}

/** The reading options every snapshot command shares. */
export function readOptions(io: Io, skipHashCheck: boolean): SnapshotReadOptions {
  return {
    ...(skipHashCheck ? { skipHashCheck } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onWarning: (message) => io.stderr(`lifeboat: warning: ${message}\n`),
  };
}
