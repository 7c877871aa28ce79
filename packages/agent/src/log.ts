// What long-running commands report while they work: JSON lines when stderr
// is not a terminal (a CronJob's log, read by machines), plain sentences when
// it is (a person). Never given secrets: callers pass facts, not settings.
import type { Io } from './io.ts';

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
}

export function logger(io: Io): Logger {
  const write = (level: 'info' | 'warn', message: string, fields: Fields = {}) => {
    if (io.interactive) {
      const details = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      io.stderr(`${level === 'warn' ? 'warning: ' : ''}${message}${details ? `  (${details})` : ''}\n`);
    } else {
      io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
    }
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f) };
}

export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A progress line redrawn in place (TTY only), at most ten times a second: bytes, rate, ETA. */
export function progressLine(
  io: Io,
  label: string,
): { update: (done: number, total: number) => void; clear: () => void } {
  if (!io.interactive) return { update: () => {}, clear: () => {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      const eta = rate > 0 && total > done ? ` ETA ${Math.ceil((total - done) / rate)}s` : '';
      io.stderr(`\r\x1b[K${label}: ${mib(done)} / ${mib(total)}  ${pct}%  ${mib(rate)}/s${eta}`);
    },
    clear() {
      if (drawn) io.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}
