// Status of a snapshot file, as `etcdutl snapshot status` reports it, computed
// without etcd. The CLI's `snapshot status` and the extension share this.
import { resolve } from 'node:path';
import { type SnapshotStatus, type StatusSemantics, semanticsFor, snapshotStatus } from '@lifeboat/etcd';

export interface SnapshotStatusResult {
  file: string;
  status: SnapshotStatus;
  /** Whose totalKey was reported: the one asked for, else the one the file's storage version implies. */
  semantics: StatusSemantics;
}

export async function statusOfSnapshot(
  file: string,
  options: { semantics?: StatusSemantics; signal?: AbortSignal } = {},
): Promise<SnapshotStatusResult> {
  const path = resolve(file);
  const status = await snapshotStatus(path, {
    ...(options.semantics ? { semantics: options.semantics } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { file: path, status, semantics: options.semantics ?? semanticsFor(status.version) };
}

/** The table `etcdutl snapshot status -w table` draws (tablewriter, cells right-aligned). */
export function statusTable(status: SnapshotStatus): string {
  const header = ['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE', 'VERSION'];
  const row = [
    status.hash.toString(16),
    String(status.revision),
    String(status.totalKey),
    humanBytes(status.totalSize),
    status.version,
  ];
  const widths = header.map((h, i) => Math.max(h.length, row[i]!.length));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const line = (cells: string[]) => `|${cells.map((c) => ` ${c} `).join('|')}|\n`;
  const centered = header.map((h, i) => {
    const gap = widths[i]! - h.length;
    return ' '.repeat(Math.floor(gap / 2)) + h + ' '.repeat(gap - Math.floor(gap / 2));
  });
  return rule + line(centered) + rule + line(row.map((c, i) => c.padStart(widths[i]!))) + rule;
}

/** go-humanize's Bytes: SI units, one decimal below 10 ("229 kB", "1.2 GB"). */
export function humanBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : roundHalfEven(value)} ${units[exponent]}`;
}

/** Go's %.0f rounds an exact half to even (12.5 → 12); toFixed would give 13. */
function roundHalfEven(value: number): string {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff === 0.5) return String(floor % 2 === 0 ? floor : floor + 1);
  return String(Math.round(value));
}
