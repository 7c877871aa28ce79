// Entry point VS Code loads (bundled to dist/extension.cjs). It wires services
// to views and commands and holds no logic of its own.
import * as vscode from 'vscode';
import { commands } from './commands/index.ts';
import { registerCommands } from './commands/register.ts';
import { BackupsProvider } from './tree/backups-provider.ts';

export const backupsViewId = 'lifeboat.backups';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Lifeboat', { log: true });
  const backups = new BackupsProvider();
  context.subscriptions.push(
    log,
    backups,
    vscode.window.registerTreeDataProvider(backupsViewId, backups),
    ...registerCommands(commands, { log }),
  );
  log.info('Lifeboat is active');
}

export function deactivate(): void {
  // Everything activate() created is in context.subscriptions; VS Code disposes it.
}
