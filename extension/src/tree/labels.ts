// How a backup reads in the tree: the label is the local time people think
// in during an outage, the description says how old, how big and which etcd
// revision, the tooltip carries the whole metadata. Pure functions, so they
// are tested without VS Code.
import type { ListedBackup } from '@lifeboat/agent/library';
import type { Verification } from './verification.ts';

const two = (n: number) => String(n).padStart(2, '0');

/** Local time, yyyy-mm-dd hh:mm (24-hour). */
export function backupLabel(createdAt: Date): string {
  const d = createdAt;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** e.g. "3h ago · 12.4 MiB · rev 48213"; an incomplete backup says so instead of a revision. */
export function backupDescription(backup: ListedBackup, now: Date): string {
  const parts = [formatAge(new Date(backup.time), now)];
  if (backup.payloadSize !== undefined) parts.push(formatSize(backup.payloadSize));
  if (backup.metadata) parts.push(`rev ${backup.metadata.etcd.revision}`);
  else parts.push(backup.state === 'incomplete' ? 'incomplete' : 'invalid');
  return parts.join(' · ');
}

/** The hover: every fact of the metadata, the exact UTC times, and the last verification. */
export function backupTooltip(backup: ListedBackup, verification?: Verification): string {
  const m = backup.metadata;
  const lines = [`${backup.cluster}/${backup.node} ${backup.id}`];
  if (!m) {
    lines.push(`${backup.state}: ${backup.problem ?? 'no metadata'}`);
    if (backup.payloadSize !== undefined)
      lines.push(`payload ${formatSize(backup.payloadSize)} (${backup.payloadSize} bytes)`);
  } else {
    lines.push(
      `taken ${m.created}, finished ${m.finished} by agent ${m.agentVersion}`,
      `etcd ${m.etcd.serverVersion} at ${m.etcd.endpoint}: revision ${m.etcd.revision}, db ${formatSize(m.etcd.dbSize)}`,
      `member ${m.etcd.memberId}, cluster ${m.etcd.clusterId}`,
      `snapshot sha256 ${m.etcd.snapshotSha256}`,
      `payload ${m.payload.key}: ${formatSize(m.payload.size)} (${m.payload.size} bytes), ${m.payload.compression}`,
      `payload sha256 ${m.payload.sha256}`,
      `encrypted to ${m.payload.recipients.join(', ')}`,
      m.payload.signer ? `signed by ${m.payload.signer}` : 'not signed',
      `/etc/kubernetes: ${m.kubernetes.files} files, ${formatSize(m.kubernetes.bytes)}`,
    );
  }
  if (verification) {
    lines.push(
      `${verification.ok ? 'verified' : 'verification FAILED'} ${verification.at.toISOString()}: ${verification.summary}`,
    );
  }
  return lines.join('\n');
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
