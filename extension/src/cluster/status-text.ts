// What the status bar says about a cluster: its newest backup by age, from
// what the agents report in the status ConfigMap, and which nodes' last run
// failed. Pure, so it is tested without VS Code.
import type { NodeStatus } from '@lifeboat/agent/library';
import type { ClusterFinding } from '../sources/clusters.ts';
import { formatAge } from '../tree/labels.ts';

export interface StatusText {
  text: string;
  tooltip: string;
  warning: boolean;
}

/** What the status bar says about one cluster; undefined when its agent reported nothing. */
export function clusterStatusText(finding: ClusterFinding, now: Date): StatusText | undefined {
  if (finding.nodes.length === 0) return undefined;
  const name = finding.cluster ?? finding.context;
  const times = finding.nodes
    .map((n) => n.status.lastSuccessTime)
    .filter((t): t is string => t !== undefined)
    .map((t) => new Date(t))
    .filter((d) => !Number.isNaN(d.getTime()));
  const newest = times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : undefined;
  const failing = finding.nodes.filter((n) => n.status.lastOutcome === 'Failed').map((n) => n.name);
  const lines = finding.nodes.map(({ name: node, status }) => `${node}: ${nodeLine(status, now)}`);
  const text = `${failing.length ? '$(warning)' : '$(archive)'} ${name}: ${newest ? formatAge(newest, now) : 'no backup'}${failing.length ? ` · ${failing.join(', ')} failing` : ''}`;
  return {
    text,
    tooltip: [
      `Lifeboat — kube context ${finding.context}, cluster ${name}`,
      ...lines,
      '',
      'Click to back up now',
    ].join('\n'),
    warning: failing.length > 0 || !newest,
  };
}

function nodeLine(status: NodeStatus, now: Date): string {
  const success = status.lastSuccessTime
    ? `last backup ${formatAge(new Date(status.lastSuccessTime), now)} (${status.lastSuccessId ?? '?'})`
    : 'no successful backup';
  if (status.lastOutcome === 'Failed') {
    return `${success}; last run FAILED ${status.lastFailureTime ? formatAge(new Date(status.lastFailureTime), now) : ''}: ${status.lastFailureReason ?? ''}`.trim();
  }
  return success;
}
