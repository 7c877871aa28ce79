// Which backups to keep. Rules as restic's `forget` defines them: keep the
// newest N backups, and the newest backup in each of the newest N hours,
// days, weeks, months and years that have one. A backup is kept when any rule
// keeps it. Per cluster+node, the newest complete backup is always kept, and
// with no rule at all nothing is deleted. Incomplete backups (a payload
// without metadata: a crashed or failed run) are deleted once older than a
// grace period, so a run still uploading is never touched.
import { LifeboatError } from '@lifeboat/core';
import type { CatalogEntry } from './catalog.ts';

export interface RetentionPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** How old an incomplete backup must be before it is cleaned; default 24 hours. */
  incompleteGraceMs?: number;
}

export interface PlanItem {
  backup: CatalogEntry;
  /** Why it is kept ("last", "daily 2026-11-21", "newest complete", …) or deleted. */
  reasons: string[];
}

export interface RetentionPlan {
  keep: PlanItem[];
  delete: PlanItem[];
}

const rules = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;

export function validatePolicy(policy: RetentionPolicy): RetentionPolicy {
  for (const rule of rules) {
    const n = policy[rule];
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) {
      throw new LifeboatError('usage', `retention ${rule} must be a whole number ≥ 0, got ${n}`);
    }
  }
  return policy;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO week (year and week number), as restic and most calendars count weeks. */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

const bucketOf: Record<Exclude<(typeof rules)[number], 'keepLast'>, (d: Date) => string> = {
  keepHourly: (d) => d.toISOString().slice(0, 13),
  keepDaily: (d) => d.toISOString().slice(0, 10),
  keepWeekly: isoWeek,
  keepMonthly: (d) => d.toISOString().slice(0, 7),
  keepYearly: (d) => d.toISOString().slice(0, 4),
};

function planGroup(group: CatalogEntry[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const reasons = new Map<CatalogEntry, string[]>();
  const add = (b: CatalogEntry, why: string) => reasons.set(b, [...(reasons.get(b) ?? []), why]);
  const complete = group.filter((b) => b.complete).sort((a, b) => b.id.localeCompare(a.id));
  const anyRule = rules.some((r) => policy[r] !== undefined);

  for (const b of complete.slice(0, policy.keepLast ?? 0)) add(b, 'last');
  for (const rule of rules) {
    if (rule === 'keepLast') continue;
    const want = policy[rule] ?? 0;
    const seen = new Set<string>();
    for (const b of complete) {
      if (seen.size >= want) break;
      const bucket = bucketOf[rule](b.time);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      add(b, `${rule.slice(4).toLowerCase()} ${bucket}`);
    }
  }
  if (complete[0]) add(complete[0], 'newest complete');

  const plan: RetentionPlan = { keep: [], delete: [] };
  const grace = policy.incompleteGraceMs ?? 24 * 3600_000;
  for (const b of group) {
    if (!b.complete) {
      const age = now.getTime() - b.time.getTime();
      if (age > grace) plan.delete.push({ backup: b, reasons: ['incomplete, older than the grace period'] });
      else
        plan.keep.push({
          backup: b,
          reasons: ['incomplete, within the grace period (may still be uploading)'],
        });
    } else if (reasons.has(b)) {
      plan.keep.push({ backup: b, reasons: reasons.get(b)! });
    } else if (!anyRule) {
      plan.keep.push({ backup: b, reasons: ['no retention rule set'] });
    } else {
      plan.delete.push({ backup: b, reasons: ['no rule keeps it'] });
    }
  }
  return plan;
}

/** The plan for every cluster+node in a catalog. Pure: deleting is the caller's job. */
export function planRetention(
  entries: readonly CatalogEntry[],
  policy: RetentionPolicy,
  now = new Date(),
): RetentionPlan {
  validatePolicy(policy);
  const groups = new Map<string, CatalogEntry[]>();
  for (const e of entries) {
    const k = `${e.cluster}/${e.node}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const plan: RetentionPlan = { keep: [], delete: [] };
  for (const group of groups.values()) {
    const p = planGroup(group, policy, now);
    plan.keep.push(...p.keep);
    plan.delete.push(...p.delete);
  }
  return plan;
}
