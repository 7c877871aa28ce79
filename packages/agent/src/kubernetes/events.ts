// A Kubernetes Event per run on the Job that ran it and on its CronJob, so
// `kubectl describe cronjob` and `kubectl get events` show each outcome. When
// the Job is unknown (run by hand with --kubeconfig) the Event goes on the
// status ConfigMap instead.
import { randomBytes } from 'node:crypto';
import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import { apiError, apiStatus, type ClusterClient } from './client.ts';
import { statusConfigMap } from './status.ts';

export interface EventInput {
  reason: 'BackupSucceeded' | 'BackupFailed';
  message: string;
  node: string;
  time: Date;
}

/** The objects an Event for this run goes on: the Job and its CronJob, or the status ConfigMap. */
export async function eventTargets(
  client: ClusterClient,
  jobName: string | undefined,
  warn: (message: string) => void,
): Promise<V1ObjectReference[]> {
  const { namespace } = client;
  if (!jobName) return [{ apiVersion: 'v1', kind: 'ConfigMap', name: statusConfigMap, namespace }];
  try {
    const job = await client.batch.readNamespacedJob({ name: jobName, namespace });
    const targets: V1ObjectReference[] = [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: jobName,
        namespace,
        ...(job.metadata?.uid ? { uid: job.metadata.uid } : {}),
      },
    ];
    const owner = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
    if (owner)
      targets.push({
        apiVersion: owner.apiVersion,
        kind: 'CronJob',
        name: owner.name,
        namespace,
        uid: owner.uid,
      });
    return targets;
  } catch (err) {
    // Without the Job's uid the Event still names it; `kubectl describe job` matches by uid, events by name.
    if (apiStatus(err) !== 404) warn(`cannot read Job ${namespace}/${jobName}: ${apiError(err)}`);
    return [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, namespace }];
  }
}

export async function recordEvent(
  client: ClusterClient,
  target: V1ObjectReference,
  input: EventInput,
): Promise<CoreV1Event> {
  const { namespace } = client;
  const body: CoreV1Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: target,
    reason: input.reason,
    // The API server limits an Event message to 1 KiB.
    message: input.message.length > 1000 ? `${input.message.slice(0, 999)}…` : input.message,
    type: input.reason === 'BackupSucceeded' ? 'Normal' : 'Warning',
    source: { component: 'lifeboat', host: input.node },
    reportingComponent: 'lifeboat.dev/agent',
    reportingInstance: input.node,
    firstTimestamp: input.time,
    lastTimestamp: input.time,
    count: 1,
  };
  return client.core.createNamespacedEvent({ namespace, body });
}
