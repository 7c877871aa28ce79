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

const lineBatch = 64 * 1024;

/**
 * Lines to stdout in 64 KiB writes. Each line is encoded into the batch at once, so the string
 * dies young; appending to one growing string instead keeps a chain of every line since the last
 * write alive across many minor GCs, which promotes it to the old generation (garbage that only
 * a full GC frees: ~45 MiB of peak RSS for `snapshot ls -o jsonl` at 147k keys).
 */
export function lineSink(io: Io): {
  /** A promise only when the batch was written (await it: backpressure). */
  line(text: string): Promise<void> | undefined;
  end(): Promise<void>;
} {
  const write = io.writeStdout;
  if (!write) {
    return {
      line: (text) => {
        io.stdout(`${text}\n`);
        return undefined;
      },
      end: async () => {},
    };
  }
  let batch = Buffer.allocUnsafe(lineBatch);
  let used = 0;
  const flush = (): Promise<void> => {
    const full = batch.subarray(0, used);
    // The stream keeps `full` until written: the next lines go to a new buffer.
    batch = Buffer.allocUnsafe(lineBatch);
    used = 0;
    return write(full);
  };
  const append = (text: string) => {
    used += batch.write(text, used, 'utf8');
    batch[used++] = 0x0a;
  };
  return {
    line(text) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; plus the newline.
      const most = text.length * 3 + 1;
      if (used + most <= lineBatch) {
        append(text);
        return undefined;
      }
      return (async () => {
        if (used > 0) await flush();
        if (most > lineBatch) await write(`${text}\n`);
        else append(text);
      })();
    },
    end: async () => {
      if (used > 0) await flush();
    },
  };
}
