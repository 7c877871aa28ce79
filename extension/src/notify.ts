// Every failure reaches the user the same way: the detail in the log, one
// line in a notification whose "Show Log" button opens that log.
import { errorLine } from '@lifeboat/core';
import * as vscode from 'vscode';

export const showLogAction = 'Show Log';

/** The one line a notification shows for any thrown value (no line breaks). */
export function failureLine(err: unknown): string {
  return errorLine(err).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** `where` names the failing command or view in the log; the notification is the error's own line. */
export async function notifyFailure(
  log: vscode.LogOutputChannel,
  where: string,
  err: unknown,
): Promise<void> {
  log.error(`${where}:`, err);
  const choice = await vscode.window.showErrorMessage(`Lifeboat: ${failureLine(err)}`, showLogAction);
  if (choice === showLogAction) log.show(true);
}
