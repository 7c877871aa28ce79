import { describe, expect, it } from 'vitest';
import { jobOutcome } from '../src/cluster/job-from-cronjob.ts';
import { clusterStatusText } from '../src/cluster/status-text.ts';

describe('jobOutcome', () => {
  const job = (conditions: { type: string; status: string; reason?: string; message?: string }[]) => ({
    status: { conditions },
  });

  it('reads Complete / SuccessCriteriaMet as success, Failed / FailureTarget with the reason', () => {
    expect(jobOutcome({})).toEqual({ state: 'running' });
    expect(jobOutcome(job([{ type: 'Complete', status: 'True' }]))).toEqual({ state: 'succeeded' });
    expect(jobOutcome(job([{ type: 'SuccessCriteriaMet', status: 'True' }]))).toEqual({ state: 'succeeded' });
    expect(jobOutcome(job([{ type: 'Complete', status: 'False' }]))).toEqual({ state: 'running' });
    expect(
      jobOutcome(
        job([
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ]),
      ),
    ).toEqual({
      state: 'failed',
      reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
    });
    expect(jobOutcome(job([{ type: 'FailureTarget', status: 'True' }]))).toEqual({
      state: 'failed',
      reason: 'failed',
    });
  });
});

describe('clusterStatusText', () => {
  const now = new Date('2026-11-21T15:00:00Z');

  it('shows the newest success of any node, quietly when every node is fine', () => {
    const text = clusterStatusText(
      {
        context: 'prod-admin',
        cluster: 'prod',
        nodes: [
          {
            name: 'cp-1',
            status: { lastOutcome: 'Succeeded', lastSuccessTime: '2026-11-21T12:00:00Z', lastSuccessId: 'a' },
          },
          {
            name: 'cp-2',
            status: { lastOutcome: 'Succeeded', lastSuccessTime: '2026-11-21T14:10:00Z', lastSuccessId: 'b' },
          },
        ],
      },
      now,
    );
    expect(text).toMatchObject({ text: '$(archive) prod: 50m ago', warning: false });
    expect(text!.tooltip.split('\n').slice(0, 3)).toEqual([
      'Lifeboat — kube context prod-admin, cluster prod',
      'cp-1: last backup 3h ago (a)',
      'cp-2: last backup 50m ago (b)',
    ]);
  });

  it('warns when no node ever succeeded, and says nothing for a cluster without reports', () => {
    expect(
      clusterStatusText(
        { context: 'dev', nodes: [{ name: 'cp-1', status: { lastOutcome: 'Failed' } }] },
        now,
      ),
    ).toMatchObject({ text: '$(warning) dev: no backup · cp-1 failing', warning: true });
    expect(clusterStatusText({ context: 'dev', nodes: [] }, now)).toBeUndefined();
  });
});
