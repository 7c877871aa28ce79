// "Back up now" is `kubectl create job --from=cronjob/NAME`: a Job with the
// CronJob's job template, owned by the CronJob (so the CronJob's history
// limits clean it up), marked as started by hand.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';

/** kubectl's annotation for Jobs made from a CronJob by hand. */
export const manualAnnotation = 'cronjob.kubernetes.io/instantiate';

/** "<cronjob>-manual-<yyyymmddhhmmss>", cut to 63 characters (a label value holds the Job name). */
export function manualJobName(cronJob: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const suffix = `-manual-${stamp}`;
  return `${cronJob.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export function jobFromCronJob(cronJob: V1CronJob, name: string): V1Job {
  const template = cronJob.spec?.jobTemplate;
  if (!template?.spec) throw new Error(`CronJob ${cronJob.metadata?.name ?? '?'} has no job template`);
  if (!cronJob.metadata?.name || !cronJob.metadata.uid) {
    throw new Error('the CronJob must be read from the API server (it needs its name and uid)');
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cronJob.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [manualAnnotation]: 'manual' },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cronJob.metadata.name,
          uid: cronJob.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: structuredClone(template.spec),
  };
}

export type JobOutcome = { state: 'running' } | { state: 'succeeded' } | { state: 'failed'; reason: string };

/** Where a Job stands, from its conditions (Complete / Failed), as kubectl wait reads them. */
export function jobOutcome(job: V1Job): JobOutcome {
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') return { state: 'succeeded' };
    if (c.type === 'Failed' || c.type === 'FailureTarget')
      return { state: 'failed', reason: [c.reason, c.message].filter(Boolean).join(': ') || 'failed' };
  }
  return { state: 'running' };
}
