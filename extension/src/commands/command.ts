// A command of the extension: its id (as contributed in package.json) and what
// it does with the services activate() set up.
import type * as vscode from 'vscode';

export interface Services {
  log: vscode.LogOutputChannel;
}

export interface ExtensionCommand {
  id: string;
  run: (services: Services, ...args: unknown[]) => unknown;
}
