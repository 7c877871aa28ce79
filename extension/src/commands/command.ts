// A command of the extension: its id (as contributed in package.json) and what
// it does with the services activate() set up.
import type * as vscode from 'vscode';
import type { ClusterStatusBar } from '../cluster/status-bar.ts';
import type { VirtualDocuments } from '../documents/virtual-documents.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { OpenedBackups } from '../opened/opened-backups.ts';
import type { OpenedProvider } from '../opened/opened-provider.ts';
import type { PlanProvider } from '../plan/plan-provider.ts';
import type { Settings } from '../settings.ts';
import type { StoreRegistry } from '../sources/store-registry.ts';
import type { BackupsProvider } from '../tree/backups-provider.ts';
import type { Verifications } from '../tree/verification.ts';

export interface Services {
  log: vscode.LogOutputChannel;
  settings: () => Settings;
  /** Writes a setting (user scope). */
  updateSetting: (key: string, value: unknown) => Thenable<void>;
  stores: StoreRegistry;
  backups: BackupsProvider;
  verifications: Verifications;
  keys: KeyRing;
  opened: OpenedBackups;
  openedView: OpenedProvider;
  plans: PlanProvider;
  documents: VirtualDocuments;
  statusBar: ClusterStatusBar;
  /** The extension's private storage folder (restore plans are written there). */
  storageDir: string;
}

export interface ExtensionCommand {
  id: string;
  run: (services: Services, ...args: unknown[]) => unknown;
}
