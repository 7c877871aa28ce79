import { LifeboatError } from '@lifeboat/core';
import { type Command, defineCommand } from '../command.ts';
import type { Io } from '../io.ts';

/** What `lifeboat`, `lifeboat --help` and `lifeboat help` print. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'lifeboat: encrypted, verifiable backups of a Kubernetes control plane',
    '',
    'Usage: lifeboat <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run "lifeboat help <command>" or "lifeboat <command> --help" for its flags and an example.',
    'Exit status: 0 on success, 2 for a wrong command line, 1 for any other failure,',
    'with the reason as one line on stderr.',
    '',
  ].join('\n');
}

export interface HelpArgs {
  topic?: string;
}

export function help(args: HelpArgs, io: Io, commands: readonly Command[]): number {
  if (args.topic === undefined) {
    io.stdout(overview(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === args.topic);
  if (!command) {
    throw new LifeboatError('usage', `no command named "${args.topic}"; run "lifeboat help" to list them`);
  }
  io.stdout(command.help);
  return 0;
}

/** Help needs the whole command table, which includes help: hence the getter. */
export function helpCommand(commands: () => readonly Command[]): Command {
  return defineCommand<HelpArgs>({
    name: 'help',
    summary: 'show help for a command',
    usage: '[COMMAND]',
    description:
      "Lists the commands, or shows one command's usage, flags with their defaults, and an example.",
    flags: {},
    examples: ['lifeboat help discover'],
    args: (_values, positionals) => {
      if (positionals.length > 2) {
        throw new LifeboatError(
          'usage',
          'help takes one command name (two words for a subcommand); see "lifeboat help --help"',
        );
      }
      return positionals.length === 0 ? {} : { topic: positionals.join(' ') };
    },
    run: (args, io) => help(args, io, commands()),
  });
}
