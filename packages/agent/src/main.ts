// Runs one command line: finds the command, runs it, and turns any failure into
// an exit code and exactly one line on stderr (2 for usage errors, else 1).
import { errorLine, isLifeboatError, LifeboatError } from '@lifeboat/core';
import { overview } from './commands/help.ts';
import { commands, resolveCommand, subcommandsOf } from './commands/index.ts';
import type { Io } from './io.ts';

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout(overview(commands));
      return 0;
    }
    const found = resolveCommand(name === '--version' ? ['version', ...rest] : argv);
    const subcommands = subcommandsOf(name);
    if (!found && subcommands.length > 0) {
      throw new LifeboatError(
        'usage',
        `"lifeboat ${name}" needs a subcommand: ${subcommands.join(', ')}; run "lifeboat help" for details`,
      );
    }
    if (!found) {
      throw new LifeboatError(
        'usage',
        name.startsWith('-')
          ? `"${name}" is not a command: flags follow the command, as in "lifeboat <command> ${argv.join(' ')}"; run "lifeboat help" to list the commands`
          : `unknown command "${name}"; run "lifeboat help" to list the commands`,
      );
    }
    return await found.command.execute(found.rest, io);
  } catch (err) {
    io.stderr(`lifeboat: ${errorLine(err).replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return isLifeboatError(err, 'usage') ? 2 : 1;
  }
}
