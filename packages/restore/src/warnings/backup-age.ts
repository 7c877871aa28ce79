// Everything written after the backup is lost by the restore: an old backup
// is worth a second look (is there a newer one?) before the cluster is stopped.
import type { PlanWarning } from './warning.ts';

/** "3d 4h", "5h 12m", "42m": the age people read at a glance. */
export function humanDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

export function backupAgeWarning(
  created: string | undefined,
  now: Date,
  maxAgeMs: number,
): PlanWarning | undefined {
  if (!created) {
    return {
      code: 'backup-age-unknown',
      message:
        'the backup time is unknown (no metadata): check it is the backup you mean; pass --metadata <id>.json to have it checked',
    };
  }
  const age = now.getTime() - Date.parse(created);
  if (age <= maxAgeMs) return undefined;
  return {
    code: 'backup-age',
    message: `the backup is ${humanDuration(age)} old (more than ${humanDuration(maxAgeMs)}): every change since ${created} is lost by this restore; check "lifeboat list" for a newer one`,
  };
}
