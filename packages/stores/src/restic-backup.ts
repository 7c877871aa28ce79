// One `restic backup --stdin` run: the body goes in through stdin with
// back-pressure, a clean end of stdin saves the snapshot, and an interrupt
// stops restic without one.
import type { Writable } from 'node:stream';
import type { Restic } from './restic-command.ts';

export interface Backup {
  child: ReturnType<Restic['start']>;
  stdin: Writable;
  /** Settles when restic has exited. */
  exited: Promise<unknown>;
  /** Writes chunk, waiting out back-pressure; false when restic has exited (its exit code says why). */
  write(chunk: Uint8Array, signal: AbortSignal | undefined): Promise<boolean>;
  /** Stops restic without a snapshot: SIGINT, then the end of stdin. */
  interrupt(): void;
}

/** Starts restic saving its stdin as key, with labels (--host/--tag arguments). */
export function startBackup(restic: Restic, key: string, labels: string[]): Backup {
  // --flag=value throughout: a key starting with "-" must not read as a flag.
  const child = restic.start(
    ['backup', '--stdin', `--stdin-filename=${key}`, '--json', '--quiet', ...labels],
    {
      stdin: true,
    },
  );
  const stdin = child.stdin!;
  // restic may exit before reading everything (wrong password, …): its exit code tells why.
  stdin.on('error', () => {});
  const exited = child.then(() => undefined);
  // Writers waiting for back-pressure to clear, woken when restic exits instead.
  let hasExited = false;
  const exitWaiters = new Set<() => void>();
  void exited.then(() => {
    hasExited = true;
    for (const wake of exitWaiters) wake();
  });
  let acknowledged: () => void = () => {};
  const sawSignal = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  child.stderr?.on('data', (data: Buffer) => {
    if (String(data).includes('signal interrupt received')) acknowledged();
  });
  let interrupted = false;
  return {
    child,
    stdin,
    exited,
    write: (chunk, signal) => (hasExited ? Promise.resolve(false) : write(stdin, chunk, exitWaiters, signal)),
    interrupt() {
      if (interrupted) return;
      interrupted = true;
      child.kill();
      // restic ≥ 0.17 cancels its work on SIGINT but sits in its read of stdin
      // until that ends; it says so first, and then the end cannot save anything.
      void Promise.race([sawSignal.then(() => delay(100)), delay(2000), exited]).then(() => stdin.destroy());
    },
  };
}

// Writes chunk to restic's stdin, waiting out back-pressure. Resolves false
// when restic has exited (its exit code says why), rejects when signal aborts.
function write(
  stdin: Writable,
  chunk: Uint8Array,
  exitWaiters: Set<() => void>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (stdin.destroyed) return Promise.resolve(false);
  if (stdin.write(chunk)) return Promise.resolve(true);
  return new Promise<boolean>((resolve, reject) => {
    const settle = (fn: () => void) => {
      stdin.off('drain', onDrain);
      stdin.off('close', onClose);
      exitWaiters.delete(onClose);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onDrain = () => settle(() => resolve(true));
    const onClose = () => settle(() => resolve(false));
    const onAbort = () => settle(() => reject(signal?.reason));
    stdin.once('drain', onDrain);
    stdin.once('close', onClose);
    exitWaiters.add(onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackupSummary {
  id?: string;
  size?: number;
}

/** The summary line of `restic backup --json`; 0.14 gives a short snapshot id. */
export function parseSummary(stdout: string): BackupSummary {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as {
        message_type?: string;
        snapshot_id?: string;
        total_bytes_processed?: number;
      };
      if (parsed.message_type === 'summary') {
        return {
          ...(parsed.snapshot_id && { id: parsed.snapshot_id }),
          ...(typeof parsed.total_bytes_processed === 'number' && { size: parsed.total_bytes_processed }),
        };
      }
    } catch {
      // A status line cut short; keep looking.
    }
  }
  return {};
}
