// Retention settings (keep-* and incomplete-grace) as a policy; undefined when
// no keep-* rule is set, so a backup without retention settings deletes nothing.

import { parseDuration } from '@lifeboat/core';
import type { RetentionPolicy } from '@lifeboat/stores';
import type { Settings } from '../config/load.ts';

const rules = {
  'keep-last': 'keepLast',
  'keep-hourly': 'keepHourly',
  'keep-daily': 'keepDaily',
  'keep-weekly': 'keepWeekly',
  'keep-monthly': 'keepMonthly',
  'keep-yearly': 'keepYearly',
} as const;

export function policyFromSettings(settings: Settings): RetentionPolicy | undefined {
  const policy: RetentionPolicy = {};
  let any = false;
  for (const [setting, rule] of Object.entries(rules)) {
    const n = settings[setting];
    if (typeof n === 'number') {
      policy[rule] = n;
      any = true;
    }
  }
  const grace = settings['incomplete-grace'];
  if (typeof grace === 'string') policy.incompleteGraceMs = parseDuration(grace, 'incomplete-grace');
  return any ? policy : undefined;
}
