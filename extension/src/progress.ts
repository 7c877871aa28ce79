// Long work (downloads, decryption, restore plans) runs behind a cancellable
// notification: bytes done of the total, and Cancel aborting the operation
// through the AbortSignal every operation in packages/agent takes.
import { LifeboatError } from '@lifeboat/core';
import * as vscode from 'vscode';
import { formatSize } from './tree/labels.ts';

export type ReportBytes = (done: number, total: number) => void;

export function withCancellableProgress<T>(
  title: string,
  task: (report: ReportBytes, signal: AbortSignal) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() =>
        abort.abort(new LifeboatError('aborted', `${title}: cancelled`)),
      );
      let shown = 0;
      let lastReport = 0;
      const report: ReportBytes = (done, total) => {
        const percent = total > 0 ? Math.min(100, (done / total) * 100) : 0;
        const now = Date.now();
        // The notification needs no more than a few updates a second.
        if (now - lastReport < 200 && done < total) return;
        lastReport = now;
        progress.report({
          increment: percent - shown,
          message: `${formatSize(done)} of ${formatSize(total)}`,
        });
        shown = percent;
      };
      try {
        return await task(report, abort.signal);
      } finally {
        cancelled.dispose();
      }
    },
  );
}
