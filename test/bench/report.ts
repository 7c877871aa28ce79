// What a suite measured, printed as Markdown tables (so a run pastes straight
// into docs/BENCHMARKS.md): one row per command with the median of its runs,
// then one row per target with "meets" or "MISSES".
import { formatBytes, formatSeconds, median, type Sample } from './measure.ts';

export interface Row {
  label: string;
  samples: Sample[];
  /** Extra column, e.g. throughput or output size. */
  note?: string;
}

export interface Target {
  label: string;
  value: number;
  /** How the value prints, e.g. "0.97×" or "83.2 MiB". */
  shown: string;
  limit: number;
  limitShown: string;
  atLeast: boolean;
}

export function meets(t: Target): boolean {
  // NaN (a failed command) meets nothing.
  return t.atLeast ? t.value >= t.limit : t.value <= t.limit;
}

export class Report {
  readonly title: string;
  readonly rows: Row[] = [];
  readonly targets: Target[] = [];
  readonly notes: string[] = [];
  readonly profiles: string[] = [];

  constructor(title: string) {
    this.title = title;
  }

  row(label: string, samples: Sample[], note?: string): void {
    this.rows.push({ label, samples, ...(note !== undefined && { note }) });
  }

  /** Notes every failed command: a failure is a result, shown, never hidden. */
  failures(failures: Map<string, string>): void {
    for (const [name, message] of failures) this.note(`**FAILED**: ${name}: ${message}`);
  }

  ratio(label: string, value: number, limit: number, atLeast: boolean): void {
    this.targets.push({
      label,
      value,
      shown: Number.isFinite(value) ? `${value.toFixed(2)}×` : 'failed',
      limit,
      limitShown: `${atLeast ? '≥' : '≤'} ${limit.toFixed(2)}×`,
      atLeast,
    });
  }

  rss(label: string, bytes: number, limit: number): void {
    this.targets.push({
      label,
      value: bytes > 0 ? bytes : Number.NaN,
      shown: bytes > 0 ? formatBytes(bytes) : 'failed',
      limit,
      limitShown: `≤ ${formatBytes(limit)}`,
      atLeast: false,
    });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  render(): string {
    const lines = [`### ${this.title}`, ''];
    lines.push(
      ...table(
        ['command', 'median wall', 'runs (wall)', 'median CPU', 'peak RSS (max of runs)', ''],
        this.rows.map((r) => [
          r.label,
          r.samples.length ? formatSeconds(median(r.samples.map((s) => s.wallMs))) : '**failed**',
          r.samples.map((s) => (s.wallMs / 1000).toFixed(2)).join(' / '),
          r.samples.some((s) => s.cpuMs > 0) ? formatSeconds(median(r.samples.map((s) => s.cpuMs))) : '–',
          r.samples.some((s) => s.peakRss > 0)
            ? formatBytes(Math.max(...r.samples.map((s) => s.peakRss)))
            : '–',
          r.note ?? '',
        ]),
      ),
    );
    if (this.targets.length) {
      lines.push('');
      lines.push(
        ...table(
          ['target', 'measured', 'target', 'result'],
          this.targets.map((t) => [t.label, t.shown, t.limitShown, meets(t) ? 'meets' : '**MISSES**']),
        ),
      );
    }
    if (this.notes.length) {
      lines.push('');
      for (const n of this.notes) lines.push(`- ${n}`);
    }
    for (const p of this.profiles) lines.push('', p);
    return lines.join('\n');
  }
}

function table(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}
