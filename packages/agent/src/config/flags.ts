// Command-line flags for a set of config fields, so `backup --help` lists
// exactly the settings the config file and LIFEBOAT_* variables accept.
import type { Flag } from '../command.ts';
import { type ConfigField, envName } from './fields.ts';

export const configFlag: Flag = {
  type: 'string',
  value: 'FILE',
  description: 'YAML file with any of these settings (flags and LIFEBOAT_* variables win)',
  default: '$LIFEBOAT_CONFIG',
};

export function flagsFor(fields: Record<string, ConfigField>): Record<string, Flag> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, f]) => {
      const flag: Flag = {
        type: f.type === 'boolean' ? 'boolean' : 'string',
        description: `${f.description} [${envName(name)}]`,
        ...(f.value ? { value: f.value } : {}),
        ...(f.type === 'list' ? { multiple: true } : {}),
        ...(f.default !== undefined ? { default: String(f.default) } : {}),
      };
      return [name, flag];
    }),
  );
}

/** The parsed flag values that belong to config fields (drops help, config, output). */
export function configFlagValues(
  fields: Record<string, ConfigField>,
  values: Record<string, unknown>,
): Record<string, string | boolean | string[] | undefined> {
  return Object.fromEntries(
    Object.keys(fields).map((name) => [name, values[name] as string | boolean | string[] | undefined]),
  );
}

export function pick<T extends Record<string, ConfigField>, K extends keyof T>(
  fields: T,
  names: K[],
): Pick<T, K> {
  return Object.fromEntries(names.map((n) => [n, fields[n]])) as Pick<T, K>;
}
