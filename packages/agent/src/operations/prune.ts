// Retention on a store: plan from the listing (pure, in @lifeboat/stores),
// then delete — metadata first, so a backup interrupted halfway through
// deletion shows as incomplete instead of complete-but-broken. A refusal
// (Object Lock, permissions) is reported per backup and does not stop the rest.

import { errorLine } from '@lifeboat/core';
import type { BackupStore } from '@lifeboat/stores';
import {
  type CatalogEntry,
  catalog,
  planRetention,
  type RetentionPlan,
  type RetentionPolicy,
} from '@lifeboat/stores';

export interface PruneOptions {
  store: BackupStore;
  policy: RetentionPolicy;
  dryRun?: boolean;
  /** Only backups of this cluster / node. */
  cluster?: string;
  node?: string;
  now?: Date;
}

export interface PruneResult {
  plan: RetentionPlan;
  deleted: CatalogEntry[];
  refused: { backup: CatalogEntry; reason: string }[];
}

export async function runPrune(o: PruneOptions): Promise<PruneResult> {
  const prefix = o.cluster ? `${o.cluster}/${o.node ? `${o.node}/` : ''}` : '';
  const entries = (await catalog(o.store.list(prefix))).filter(
    (e) => (!o.cluster || e.cluster === o.cluster) && (!o.node || e.node === o.node),
  );
  const plan = planRetention(entries, o.policy, o.now);
  const result: PruneResult = { plan, deleted: [], refused: [] };
  if (o.dryRun) return result;
  for (const { backup } of plan.delete) {
    const order = [...backup.keys].sort((a, b) => rank(a) - rank(b));
    try {
      for (const key of order) await o.store.delete(key);
      result.deleted.push(backup);
    } catch (err) {
      result.refused.push({ backup, reason: errorLine(err) });
    }
  }
  return result;
}

/** Metadata (the commit marker) goes first, then its signature, then the payload. */
function rank(key: string): number {
  if (key.endsWith('.json')) return 0;
  if (key.endsWith('.json.asc')) return 1;
  return 2;
}
