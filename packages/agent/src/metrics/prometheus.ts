// The four backup metrics in the Prometheus text exposition format (0.0.4),
// one series per cluster and node, for a Pushgateway or node-exporter's
// textfile collector.

export interface BackupMetrics {
  cluster: string;
  node: string;
  /** Unix seconds of the last successful backup; unknown before the first one. */
  lastSuccessSeconds?: number;
  /** How long the last run took, successful or not. */
  durationSeconds: number;
  /** Payload size of the last successful backup. */
  bytes?: number;
  /** Failed runs so far (as far as the previous report remembers). */
  failuresTotal: number;
}

export const metricNames = {
  lastSuccess: 'lifeboat_last_success_timestamp_seconds',
  duration: 'lifeboat_backup_duration_seconds',
  bytes: 'lifeboat_backup_bytes',
  failures: 'lifeboat_backup_failures_total',
} as const;

const help: Record<string, [type: 'gauge' | 'counter', text: string]> = {
  [metricNames.lastSuccess]: ['gauge', 'Unix time of the last successful backup.'],
  [metricNames.duration]: ['gauge', 'Duration of the last backup run, successful or not, in seconds.'],
  [metricNames.bytes]: ['gauge', 'Size of the last successful backup (encrypted payload) in bytes.'],
  [metricNames.failures]: ['counter', 'Failed backup runs.'],
};

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function number(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

export function renderMetrics(m: BackupMetrics): string {
  const labels = `{cluster="${escapeLabel(m.cluster)}",node="${escapeLabel(m.node)}"}`;
  const samples: [string, number | undefined][] = [
    [metricNames.lastSuccess, m.lastSuccessSeconds],
    [metricNames.duration, m.durationSeconds],
    [metricNames.bytes, m.bytes],
    [metricNames.failures, m.failuresTotal],
  ];
  let out = '';
  for (const [name, value] of samples) {
    if (value === undefined) continue;
    const [type, text] = help[name]!;
    out += `# HELP ${name} ${text}\n# TYPE ${name} ${type}\n${name}${labels} ${number(value)}\n`;
  }
  return out;
}

/**
 * Reads back what renderMetrics wrote for one cluster and node (the previous
 * textfile), so a counter survives from one run to the next.
 */
export function parseMetrics(text: string, cluster: string, node: string): Partial<BackupMetrics> {
  const labels = `{cluster="${escapeLabel(cluster)}",node="${escapeLabel(node)}"}`;
  const found: Partial<BackupMetrics> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const series = line.slice(0, space);
    const value = Number(line.slice(space + 1));
    if (!Number.isFinite(value)) continue;
    if (series === `${metricNames.lastSuccess}${labels}`) found.lastSuccessSeconds = value;
    else if (series === `${metricNames.bytes}${labels}`) found.bytes = value;
    else if (series === `${metricNames.failures}${labels}`) found.failuresTotal = value;
    else if (series === `${metricNames.duration}${labels}`) found.durationSeconds = value;
  }
  return found;
}
