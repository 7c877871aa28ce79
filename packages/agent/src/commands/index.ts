// The command table: the order here is the order `lifeboat help` lists them in.
import type { Command } from '../command.ts';
import { discoverCommand } from './discover.ts';
import { helpCommand } from './help.ts';
import { versionCommand } from './version.ts';

export const commands: readonly Command[] = [discoverCommand, versionCommand, helpCommand(() => commands)];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
