// How a backup reads in the tree: the label is the local time people think
// in during an outage, the description says how old, how big and which etcd
// revision. Pure functions, so they are tested without VS Code.
import type { BackupSummary } from './backup-summary.ts';

const two = (n: number) => String(n).padStart(2, '0');

/** Local time, yyyy-mm-dd hh:mm (24-hour). */
export function backupLabel(createdAt: Date): string {
  const d = createdAt;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** e.g. "3h ago · 12.4 MiB · rev 48213". */
export function backupDescription(backup: BackupSummary, now: Date): string {
  return `${formatAge(backup.createdAt, now)} · ${formatSize(backup.payloadBytes)} · rev ${backup.revision}`;
}

/** The hover: the exact UTC time and where the backup came from. */
export function backupTooltip(backup: BackupSummary): string {
  return [
    `${backup.cluster}/${backup.node} ${backup.id}`,
    `taken ${backup.createdAt.toISOString()}`,
    `${formatSize(backup.payloadBytes)} encrypted (${backup.payloadBytes} bytes)`,
    `etcd revision ${backup.revision}`,
  ].join('\n');
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Binary units with one decimal: 512 B, 1.0 KiB, 12.4 MiB. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  // 1023.95 would print as "1024.0": such values read better in the next unit.
  while (value >= 1023.95 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Whole units, rounded down so a backup never looks newer than it is: minutes
 * below an hour, hours below two days (backups are hourly; "30h" says more
 * than "1d"), days below two years, then years.
 */
export function formatAge(then: Date, now: Date): string {
  const elapsed = now.getTime() - then.getTime();
  // Clocks of the node and the laptop differ a little; a minute either way is "now".
  if (Math.abs(elapsed) < minute) return 'just now';
  const span = Math.abs(elapsed);
  const amount =
    span < hour
      ? `${Math.floor(span / minute)}m`
      : span < 2 * day
        ? `${Math.floor(span / hour)}h`
        : span < 730 * day
          ? `${Math.floor(span / day)}d`
          : `${Math.floor(span / (365 * day))}y`;
  return elapsed >= 0 ? `${amount} ago` : `in ${amount}`;
}
