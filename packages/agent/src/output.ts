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
