// The lifeboat.backups view. It only shows what it is given; reading stores
// belongs to the operations in packages/, not to the tree.
import * as vscode from 'vscode';
import { BackupItem } from './backup-item.ts';
import type { BackupSummary } from './backup-summary.ts';

export class BackupsProvider implements vscode.TreeDataProvider<BackupItem>, vscode.Disposable {
  #backups: readonly BackupSummary[] = [];
  readonly #changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.#changed.event;

  show(backups: readonly BackupSummary[]): void {
    this.#backups = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    this.#changed.fire(undefined);
  }

  getTreeItem(item: BackupItem): BackupItem {
    return item;
  }

  getChildren(): BackupItem[] {
    // Ages are computed when the tree is drawn, so a refresh brings them up to date.
    const now = new Date();
    return this.#backups.map((backup) => new BackupItem(backup, now));
  }

  dispose(): void {
    this.#changed.dispose();
  }
}
