// Output formats shared by commands: -o json for scripts, a table for people.
import { LifeboatError } from '@lifeboat/core';

export type OutputFormat = 'table' | 'json';

/** Checks -o against the formats a command supports; the first is the default. */
export function outputFormat<F extends string>(value: unknown, supported: readonly [F, ...F[]]): F {
  if (value === undefined) return supported[0];
  if (typeof value === 'string' && (supported as readonly string[]).includes(value)) return value as F;
  throw new LifeboatError(
    'usage',
    `-o ${String(value)} is not supported here; use ${supported.join(' or ')}`,
  );
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Two aligned columns: a name and its value. */
export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join('');
}

/**
 * Aligned columns with a header, the last column unpadded. Widths come from a
 * loop, not Math.max(...column): a snapshot can list hundreds of thousands of
 * rows, more arguments than a call may take.
 */
export function columns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h) => h.length);
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i]!.length);
  }
  return [header, ...rows].map((row) => `${alignedLine(row, widths)}\n`).join('');
}

/** One line of a columns() table, without its newline: cells padded to the widths, the last one not. */
export function alignedLine(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
}
