// What one backup run reports, after it succeeded or failed: an Event on its
// Job and CronJob, this node's keys in the lifeboat-status ConfigMap, and the
// metrics (Pushgateway and/or node-exporter textfile). Every step is
// best-effort: a reporting failure is a warning and never changes the
// backup's own outcome or exit code.
import { errorLine, withTimeout } from '@lifeboat/core';
import type { Logger } from '../log.ts';
import { parseMetrics, renderMetrics } from '../metrics/prometheus.ts';
import { pushMetrics } from '../metrics/pushgateway.ts';
import { readTextfile, writeTextfile } from '../metrics/textfile.ts';
import { apiError, type ClusterClient, clusterClient } from './client.ts';
import { eventTargets, recordEvent } from './events.ts';
import { type NodeStatus, readStatus, writeStatus } from './status.ts';

export interface ReportTarget {
  cluster: string;
  node: string;
  /** The store URL, recorded in the status ConfigMap (credentials redacted). */
  store?: string;
  kubeconfig?: string;
  namespace?: string;
  jobName?: string;
  pushgateway?: string;
  metricsTextfileDir?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Service-account directory prefix, for tests. */
  root?: string;
  /** Per-call time limit, so an unreachable API server cannot hold the Job. */
  timeoutMs?: number;
}

export type Outcome =
  | { ok: true; id: string; bytes: number; revision: number; durationMs: number; finishedAt?: Date }
  | { ok: false; error: unknown; durationMs: number; finishedAt?: Date };

export interface ReportSummary {
  /** Where reporting went: "service account", a kubeconfig path, or undefined (no cluster). */
  cluster?: string;
  events: string[];
  status: boolean;
  textfile?: string;
  pushed?: string;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

function humanBytes(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function eventMessage(cluster: string, node: string, outcome: Outcome): string {
  if (outcome.ok) {
    return (
      `backup ${outcome.id} of ${cluster}/${node}: ${humanBytes(outcome.bytes)} (${outcome.bytes} bytes), ` +
      `etcd revision ${outcome.revision}, took ${seconds(outcome.durationMs)}s`
    );
  }
  return `backup of ${cluster}/${node} failed after ${seconds(outcome.durationMs)}s: ${errorLine(outcome.error).replace(/\s*[\r\n]+\s*/g, ' ')}`;
}

/** Reports one run everywhere it is configured to go; never throws. */
export async function reportOutcome(
  target: ReportTarget,
  outcome: Outcome,
  log: Logger,
): Promise<ReportSummary> {
  const summary: ReportSummary = { events: [], status: false };
  const { cluster, node } = target;
  const time = outcome.finishedAt ?? new Date();
  const ms = target.timeoutMs ?? 15_000;
  const warn = (what: string, err: unknown) =>
    log.warn(`reporting: ${what}: ${apiError(err)}`, { cluster, node });

  let client: ClusterClient | undefined;
  try {
    client = await clusterClient({
      env: target.env,
      ...(target.kubeconfig ? { kubeconfig: target.kubeconfig } : {}),
      ...(target.namespace ? { namespace: target.namespace } : {}),
      ...(target.root ? { root: target.root } : {}),
    });
    summary.cluster = client?.via;
  } catch (err) {
    warn('cannot load the Kubernetes client configuration', err);
  }

  // What earlier runs left behind: the counter and the last success carry over.
  let previous: NodeStatus = {};
  if (client) {
    try {
      previous = await withTimeout(readStatus(client, node), ms, 'reading the status ConfigMap');
    } catch (err) {
      warn(`cannot read ConfigMap ${client.namespace}/lifeboat-status`, err);
    }
  }
  let previousFile: ReturnType<typeof parseMetrics> = {};
  if (target.metricsTextfileDir) {
    try {
      const text = await readTextfile(target.metricsTextfileDir);
      if (text) previousFile = parseMetrics(text, cluster, node);
    } catch (err) {
      warn('cannot read the previous metrics textfile', err);
    }
  }
  const failuresBefore = Math.max(previous.failuresTotal ?? 0, previousFile.failuresTotal ?? 0);
  const iso = time.toISOString();
  const status: NodeStatus = outcome.ok
    ? {
        lastOutcome: 'Succeeded',
        lastSuccessTime: iso,
        lastSuccessId: outcome.id,
        lastSuccessBytes: outcome.bytes,
        lastSuccessRevision: outcome.revision,
        lastDurationSeconds: seconds(outcome.durationMs),
        failuresTotal: failuresBefore,
      }
    : {
        lastOutcome: 'Failed',
        lastDurationSeconds: seconds(outcome.durationMs),
        lastFailureTime: iso,
        lastFailureReason: errorLine(outcome.error)
          .replace(/\s*[\r\n]+\s*/g, ' ')
          .slice(0, 1000),
        failuresTotal: failuresBefore + 1,
      };

  if (client) {
    try {
      await withTimeout(
        writeStatus(client, cluster, node, status, target.store),
        ms,
        'updating the status ConfigMap',
      );
      summary.status = true;
    } catch (err) {
      warn(`cannot update ConfigMap ${client.namespace}/lifeboat-status`, err);
    }
    const input = {
      reason: outcome.ok ? ('BackupSucceeded' as const) : ('BackupFailed' as const),
      message: eventMessage(cluster, node, outcome),
      node,
      time,
    };
    try {
      const targets = await withTimeout(
        eventTargets(client, target.jobName, (m) => log.warn(`reporting: ${m}`)),
        ms,
        'reading the Job',
      );
      for (const t of targets) {
        try {
          await withTimeout(recordEvent(client, t, input), ms, 'creating an Event');
          summary.events.push(`${t.kind}/${t.name}`);
        } catch (err) {
          warn(`cannot create an Event on ${t.kind} ${t.name}`, err);
        }
      }
    } catch (err) {
      warn('cannot create Events', err);
    }
  }

  if (target.metricsTextfileDir || target.pushgateway) {
    const lastSuccess = outcome.ok
      ? time.getTime() / 1000
      : (previousFile.lastSuccessSeconds ??
        (previous.lastSuccessTime ? Date.parse(previous.lastSuccessTime) / 1000 : undefined));
    const bytes = outcome.ok ? outcome.bytes : (previousFile.bytes ?? previous.lastSuccessBytes);
    const text = renderMetrics({
      cluster,
      node,
      ...(lastSuccess !== undefined && Number.isFinite(lastSuccess)
        ? { lastSuccessSeconds: lastSuccess }
        : {}),
      durationSeconds: outcome.durationMs / 1000,
      ...(bytes !== undefined ? { bytes } : {}),
      failuresTotal: status.failuresTotal ?? 0,
    });
    if (target.metricsTextfileDir) {
      try {
        summary.textfile = await writeTextfile(target.metricsTextfileDir, text);
      } catch (err) {
        warn(`cannot write metrics to ${target.metricsTextfileDir}`, err);
      }
    }
    if (target.pushgateway) {
      try {
        summary.pushed = await pushMetrics(target.pushgateway, cluster, node, text, ms);
      } catch (err) {
        warn('cannot push metrics', err);
      }
    }
  }
  if (summary.cluster || summary.textfile || summary.pushed) {
    log.info('outcome reported', {
      via: summary.cluster,
      events: summary.events.join(',') || undefined,
      status: summary.status,
      textfile: summary.textfile,
      pushgateway: summary.pushed,
    });
  }
  return summary;
}
