// The command table: the order here is the order `lifeboat help` lists them in.
import type { Command } from '../command.ts';
import { backupCommand } from './backup.ts';
import { discoverCommand } from './discover.ts';
import { drillCommand } from './drill.ts';
import { fetchCommand } from './fetch.ts';
import { helpCommand } from './help.ts';
import { listCommand } from './list.ts';
import { manifestsCommand } from './manifests.ts';
import { pruneCommand } from './prune.ts';
import { restorePlanCommand } from './restore-plan.ts';
import { snapshotExportCommand } from './snapshot-export.ts';
import { snapshotGetCommand } from './snapshot-get.ts';
import { snapshotLsCommand } from './snapshot-ls.ts';
import { snapshotSaveCommand } from './snapshot-save.ts';
import { snapshotStatusCommand } from './snapshot-status.ts';
import { verifyCommand } from './verify.ts';
import { versionCommand } from './version.ts';

export const commands: readonly Command[] = [
  backupCommand,
  listCommand,
  verifyCommand,
  fetchCommand,
  pruneCommand,
  discoverCommand,
  snapshotSaveCommand,
  snapshotStatusCommand,
  snapshotLsCommand,
  snapshotGetCommand,
  snapshotExportCommand,
  restorePlanCommand,
  drillCommand,
  manifestsCommand,
  versionCommand,
  helpCommand(() => commands),
];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}

/**
 * Finds the command an argv names: one word ("backup") or a group and a
 * subcommand ("snapshot save"). Returns the command and the remaining argv.
 */
export function resolveCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const [first, second, ...more] = argv;
  if (first === undefined) return undefined;
  const two = second === undefined ? undefined : findCommand(`${first} ${second}`);
  if (two) return { command: two, rest: more };
  const one = findCommand(first);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}

/** The subcommands of a group such as "snapshot", for a helpful error. */
export function subcommandsOf(group: string): string[] {
  return commands.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.slice(group.length + 1));
}
