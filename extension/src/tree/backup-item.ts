import * as vscode from 'vscode';
import type { BackupSummary } from './backup-summary.ts';
import { backupDescription, backupLabel, backupTooltip } from './labels.ts';

/** One backup in the tree; contextValue "backup" is what menus in package.json match. */
export class BackupItem extends vscode.TreeItem {
  readonly backup: BackupSummary;

  constructor(backup: BackupSummary, now: Date) {
    super(backupLabel(backup.createdAt), vscode.TreeItemCollapsibleState.None);
    this.backup = backup;
    this.id = `${backup.cluster}/${backup.node}/${backup.id}`;
    this.description = backupDescription(backup, now);
    this.tooltip = backupTooltip(backup);
    this.contextValue = 'backup';
    this.iconPath = new vscode.ThemeIcon('archive');
  }
}
