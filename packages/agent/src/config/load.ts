// Merges flags, LIFEBOAT_* variables and a YAML config file (in that order
// of precedence) into one validated settings map. Every error names the field
// and where the bad value came from, so it can be fixed at its source.
import { readFile } from 'node:fs/promises';
import { LifeboatError, tryParseDuration } from '@lifeboat/core';
import { parseDocument } from 'yaml';
import { type ConfigField, envName } from './fields.ts';

export type ConfigValue = string | number | boolean | string[];
export type Settings = Record<string, ConfigValue | undefined>;

export interface ConfigSources {
  flags: Record<string, string | boolean | string[] | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  /** Path of a YAML config file (--config or LIFEBOAT_CONFIG), if any. */
  file?: string;
}

/** `source` names where the value came from: --flag, LIFEBOAT_VAR, or "file: key". */
function coerce(field: ConfigField, raw: unknown, source: string): ConfigValue {
  // A bad flag is a wrong command line (exit 2); a bad variable or file entry is bad configuration.
  const bad = (why: string) =>
    new LifeboatError(source.startsWith('--') ? 'usage' : 'config', `${source} ${why}`);
  switch (field.type) {
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') throw bad('must be a string');
      return String(raw);
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 0)
        throw bad(`must be a whole number ≥ 0, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0' || raw === '') return false;
      throw bad(`must be true or false, got ${JSON.stringify(raw)}`);
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
      if (!items?.every((i) => typeof i === 'string')) throw bad('must be a list of strings');
      return (items as string[]).map((s) => s.trim()).filter(Boolean);
    }
    case 'duration': {
      const ms = typeof raw === 'string' ? tryParseDuration(raw) : undefined;
      if (ms === undefined)
        throw bad(`must be a duration like 90s, 15m, 24h or 30d, got ${JSON.stringify(raw)}`);
      return raw as string;
    }
  }
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LifeboatError(
      'config',
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new LifeboatError('config', `${path}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LifeboatError('config', `${path}: must be a YAML mapping`);
  return value as Record<string, unknown>;
}

/** Flattens the file's sections (retention:, s3:, …) and refuses unknown keys. */
function fileValues(
  file: Record<string, unknown>,
  fields: Record<string, ConfigField>,
  path: string,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const sections = new Set(Object.values(fields).flatMap((f) => (f.section ? [f.section] : [])));
  const take = (key: string, value: unknown, where: string) => {
    if (!(key in fields)) {
      throw new LifeboatError(
        'config',
        `${path}: unknown setting "${where}" (known: ${Object.keys(fields).join(', ')})`,
      );
    }
    values.set(key, value);
  };
  for (const [key, value] of Object.entries(file)) {
    if (sections.has(key as never) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) take(inner, v, `${key}.${inner}`);
    } else {
      take(key, value, key);
    }
  }
  return values;
}

export async function loadSettings(
  fields: Record<string, ConfigField>,
  sources: ConfigSources,
): Promise<Settings> {
  const file = sources.file
    ? fileValues(await readConfigFile(sources.file), fields, sources.file)
    : new Map();
  const settings: Settings = {};
  for (const [name, field] of Object.entries(fields)) {
    const flag = sources.flags[name];
    const env = sources.env[envName(name)];
    if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0)) {
      settings[name] = coerce(field, Array.isArray(flag) ? flag.join(',') : flag, `--${name}`);
    } else if (env !== undefined && env !== '') {
      settings[name] = coerce(field, env, envName(name));
    } else if (file.has(name)) {
      settings[name] = coerce(field, file.get(name), `${sources.file}: ${name}`);
    }
  }
  return settings;
}
