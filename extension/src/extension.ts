// Entry point VS Code loads (bundled to dist/extension.cjs). It wires services
// to views and commands and holds no logic of its own: that lives in
// packages/ (operations shared with the CLI) and in the modules named here.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { ClusterStatusBar } from './cluster/status-bar.ts';
import type { Services } from './commands/command.ts';
import { commands } from './commands/index.ts';
import { registerCommands } from './commands/register.ts';
import { documentScheme, VirtualDocuments } from './documents/virtual-documents.ts';
import { KeyRing } from './keys/key-ring.ts';
import { OpenedBackups } from './opened/opened-backups.ts';
import { OpenedProvider } from './opened/opened-provider.ts';
import { PlanProvider } from './plan/plan-provider.ts';
import { readSettings } from './settings.ts';
import { discoverClusters, loadKubeconfig } from './sources/clusters.ts';
import { StoreRegistry } from './sources/store-registry.ts';
import { BackupsProvider } from './tree/backups-provider.ts';
import { Verifications } from './tree/verification.ts';

export const backupsViewId = 'lifeboat.backups';
export const openedViewId = 'lifeboat.opened';
export const planViewId = 'lifeboat.plan';

/** How often the status bar and the ages in the tree move on. */
const tick = 60_000;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Lifeboat', { log: true });
  const settings = () => readSettings(vscode.workspace.getConfiguration('lifeboat'));
  const stores = new StoreRegistry(settings());
  const verifications = new Verifications();
  const backups = new BackupsProvider({
    settings,
    stores,
    verifications,
    discover: () => {
      const { kubeconfig, namespace } = settings();
      return discoverClusters({ ...(kubeconfig ? { kubeconfig } : {}), namespace });
    },
    log,
    home: homedir(),
  });
  const documents = new VirtualDocuments();
  const opened = new OpenedBackups();
  const openedView = new OpenedProvider(opened, documents);
  const plans = new PlanProvider();
  const statusBar = new ClusterStatusBar();
  const services: Services = {
    log,
    settings,
    updateSetting: (key, value) =>
      vscode.workspace.getConfiguration('lifeboat').update(key, value, vscode.ConfigurationTarget.Global),
    stores,
    backups,
    verifications,
    keys: new KeyRing(settings, context.secrets, context.globalState),
    opened,
    openedView,
    plans,
    documents,
    statusBar,
    storageDir: context.globalStorageUri.fsPath,
  };

  const updateStatusBar = async () => {
    const { kubeconfig } = settings();
    let current: string | undefined;
    try {
      current = loadKubeconfig(kubeconfig || undefined).getCurrentContext();
    } catch {
      current = undefined; // no kubeconfig: nothing to show
    }
    const findings = await backups.findings();
    statusBar.show(findings.find((f) => f.context === current));
  };
  const timer = setInterval(() => {
    backups.redraw();
    void updateStatusBar();
  }, tick);
  timer.unref(); // a clock for the view, never a reason to keep a process alive

  context.subscriptions.push(
    log,
    backups,
    opened,
    openedView,
    plans,
    statusBar,
    { dispose: () => clearInterval(timer) },
    vscode.window.registerTreeDataProvider(backupsViewId, backups),
    vscode.window.registerTreeDataProvider(openedViewId, openedView),
    vscode.window.registerTreeDataProvider(planViewId, plans),
    vscode.workspace.registerTextDocumentContentProvider(documentScheme, documents),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('lifeboat')) return;
      stores.reconfigure(settings());
      backups.refresh();
      void updateStatusBar();
    }),
    backups.onDidChangeTreeData((e) => {
      if (e === undefined) void updateStatusBar();
    }),
    ...registerCommands(commands, services),
  );
  void updateStatusBar();
  log.info('Lifeboat is active');
}

export function deactivate(): void {
  // Everything activate() created is in context.subscriptions; VS Code disposes it
  // (opened backups remove their decrypted files then).
}
