// The status bar item: the current kube context's last backup (status-text.ts
// words it); clicking it runs "Back up now".
import * as vscode from 'vscode';
import type { ClusterFinding } from '../sources/clusters.ts';
import { clusterStatusText } from './status-text.ts';

export class ClusterStatusBar implements vscode.Disposable {
  readonly #item: vscode.StatusBarItem;

  constructor() {
    this.#item = vscode.window.createStatusBarItem(
      'lifeboat.clusterStatus',
      vscode.StatusBarAlignment.Left,
      10,
    );
    this.#item.name = 'Lifeboat: last backup';
    this.#item.command = 'lifeboat.backUpNow';
  }

  show(finding: ClusterFinding | undefined, now = new Date()): void {
    const status = finding && clusterStatusText(finding, now);
    if (!status) {
      this.#item.hide();
      return;
    }
    this.#item.text = status.text;
    this.#item.tooltip = status.tooltip;
    this.#item.backgroundColor = status.warning
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.#item.show();
  }

  dispose(): void {
    this.#item.dispose();
  }
}
