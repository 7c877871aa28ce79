// Commands are registered in one place, so each one fails the same way: the
// detail goes to the log, one line to the user with "Show Log". A cancelled
// operation is not a failure: it is logged and said quietly.
import { isLifeboatError } from '@lifeboat/core';
import * as vscode from 'vscode';
import { failureLine, notifyFailure } from '../notify.ts';
import type { ExtensionCommand, Services } from './command.ts';

export function registerCommands(
  commands: readonly ExtensionCommand[],
  services: Services,
): vscode.Disposable[] {
  return commands.map((command) =>
    vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
      try {
        return await command.run(services, ...args);
      } catch (err) {
        if (isLifeboatError(err, 'aborted')) {
          services.log.info(`${command.id}: ${failureLine(err)}`);
          vscode.window.setStatusBarMessage(`Lifeboat: ${err.message}`, 5000);
          return undefined;
        }
        await notifyFailure(services.log, `${command.id} failed`, err);
        return undefined;
      }
    }),
  );
}
