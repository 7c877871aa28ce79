// Where a command's output goes. Commands never touch `process` themselves, so
// tests run them in memory and the CLI wires them to the real streams.
import { LifeboatError } from '@lifeboat/core';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on the first SIGINT/SIGTERM: long commands stop cleanly (a second one kills). */
  signal?: AbortSignal;
  /** stderr is a terminal: commands may draw progress there. */
  interactive?: boolean;
  /**
   * Binary-safe stdout with backpressure, for bytes and long streams: resolves
   * once the stream can take more. Without it, commands write text via stdout.
   */
  writeStdout?: (chunk: string | Uint8Array) => Promise<void>;
}

export function processIo(): Io {
  const controller = new AbortController();
  // `once`: after the first signal Node's default handling is back, so a second one kills.
  const stop = (signal: NodeJS.Signals) => controller.abort(new Error(`received ${signal}`));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    signal: controller.signal,
    interactive: process.stderr.isTTY === true,
    writeStdout: stdoutWriter(),
  };
}

/** Waits for 'drain' when the pipe is full; a closed pipe (EPIPE) rejects instead of hanging. */
function stdoutWriter(): (chunk: string | Uint8Array) => Promise<void> {
  let failed: Error | undefined;
  let listening = false;
  return (chunk) => {
    const out = process.stdout;
    if (!listening) {
      listening = true;
      out.on('error', (err: NodeJS.ErrnoException) => {
        failed = new LifeboatError(
          'io',
          err.code === 'EPIPE'
            ? 'stdout was closed before all output was written'
            : `cannot write to stdout: ${err.message}`,
          { cause: err },
        );
      });
    }
    if (failed) return Promise.reject(failed);
    if (out.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // Registered after the listener above, so `failed` is set by the time this runs.
      const settle = () => {
        out.off('drain', settle);
        out.off('error', settle);
        if (failed) reject(failed);
        else resolve();
      };
      out.on('drain', settle);
      out.on('error', settle);
    });
  };
}
