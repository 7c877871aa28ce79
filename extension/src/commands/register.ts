// Commands are registered in one place, so each one fails the same way: the
// detail goes to the log, one line to the user.
import { errorLine } from '@lifeboat/core';
import * as vscode from 'vscode';
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
        services.log.error(`${command.id} failed:`, err);
        void vscode.window.showErrorMessage(`Lifeboat: ${errorLine(err).replace(/\s*[\r\n]+\s*/g, ' ')}`);
        return undefined;
      }
    }),
  );
}
