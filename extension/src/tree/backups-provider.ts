// The Backups view: source → cluster → node → backup, newest first. A store
// is listed once per refresh (the registry caches its catalog); metadata is
// read only for the backups on screen, a page at a time, so a node with
// 10,000 backups opens as fast as one with ten.
import { describeBackups, type ListedBackup } from '@lifeboat/agent/library';
import { errorLine } from '@lifeboat/core';
import * as vscode from 'vscode';
import type { Settings } from '../settings.ts';
import type { ClusterFinding } from '../sources/clusters.ts';
import { type BackupSource, configuredSources, sourceLabel } from '../sources/source.ts';
import type { StoreRegistry } from '../sources/store-registry.ts';
import { backupDescription, backupLabel, backupTooltip, formatAge } from './labels.ts';
import {
  type BackupNode,
  type BackupsNode,
  groupEntries,
  type MessageNode,
  type NodeNode,
  nodeId,
  type SourceNode,
} from './nodes.ts';
import { backupKey, type Verifications } from './verification.ts';

export interface BackupsProviderDeps {
  settings: () => Settings;
  stores: StoreRegistry;
  verifications: Verifications;
  /** The kubeconfig's clusters and what their agents report. */
  discover: () => Promise<ClusterFinding[]>;
  log: vscode.LogOutputChannel;
  home: string;
  now?: () => Date;
}

export class BackupsProvider implements vscode.TreeDataProvider<BackupsNode>, vscode.Disposable {
  readonly #deps: BackupsProviderDeps;
  readonly #changed = new vscode.EventEmitter<BackupsNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  /** How many backups each node shows (grows with "Show more"). */
  readonly #shown = new Map<string, number>();
  /** Described backups by store URL + metadata key: metadata is read once per refresh. */
  readonly #described = new Map<string, ListedBackup>();
  #findings: Promise<ClusterFinding[]> | undefined;

  constructor(deps: BackupsProviderDeps) {
    this.#deps = deps;
  }

  /** Lists every store again and asks the clusters again. */
  refresh(): void {
    this.#deps.stores.forget();
    this.#described.clear();
    this.#findings = undefined;
    this.#changed.fire(undefined);
  }

  /** Redraws without listing again (a verification finished, ages moved on). */
  redraw(): void {
    this.#changed.fire(undefined);
  }

  showMore(node: NodeNode): void {
    const id = nodeId(node);
    this.#shown.set(
      id,
      (this.#shown.get(id) ?? this.#deps.settings().pageSize) + this.#deps.settings().pageSize,
    );
    this.#changed.fire(undefined);
  }

  /** The kube contexts' findings of the last refresh (for the status bar and Back up now). */
  findings(): Promise<ClusterFinding[]> {
    if (!this.#findings) {
      this.#findings = this.#deps.settings().discoverClusters
        ? this.#deps.discover().catch((err: unknown) => {
            this.#deps.log.warn(`cannot read the kubeconfig: ${errorLine(err)}`);
            return [];
          })
        : Promise.resolve([]);
    }
    return this.#findings;
  }

  async getChildren(element?: BackupsNode): Promise<BackupsNode[]> {
    try {
      if (!element) return await this.#roots();
      switch (element.kind) {
        case 'source':
          return await this.#clusters(element);
        case 'cluster':
          return [...(groupEntries(element.entries).get(element.cluster) ?? new Map()).entries()].map(
            ([node, entries]) => ({
              kind: 'node',
              source: element.source,
              cluster: element.cluster,
              node,
              entries,
            }),
          );
        case 'node':
          return await this.#page(element);
        default:
          return [];
      }
    } catch (err) {
      const what = element ? `cannot list ${labelOf(element)}` : 'cannot list backup sources';
      this.#deps.log.error(`${what}:`, err);
      return [message(`${nodeId(element ?? rootMarker)}:error`, `${what}: ${errorLine(err)}`, 'error')];
    }
  }

  async #roots(): Promise<BackupsNode[]> {
    const settings = this.#deps.settings();
    const { sources, problems } = configuredSources(settings.sources, this.#deps.home);
    const roots: BackupsNode[] = problems.map((p, i) =>
      message(`settings:${i}`, p, 'error', {
        command: 'workbench.action.openSettings',
        title: 'Open Settings',
        arguments: ['lifeboat.sources'],
      }),
    );
    roots.push(...sources.map((source): SourceNode => ({ kind: 'source', source })));
    for (const finding of await this.findings()) {
      if (!finding.store) {
        this.#deps.log.info(`kube context ${finding.context}: ${finding.problem ?? 'no store reported'}`);
        continue;
      }
      // The same store named in the settings is shown once, under the settings' entry.
      if (sources.some((s) => s.url === finding.store)) continue;
      const source: BackupSource = {
        url: finding.store,
        label: finding.context,
        origin: { kind: 'cluster', context: finding.context, cluster: finding.cluster ?? '' },
      };
      roots.push({ kind: 'source', source, finding });
    }
    return roots;
  }

  async #clusters(element: SourceNode): Promise<BackupsNode[]> {
    if (element.source.url.includes('***')) {
      return [
        message(
          `${nodeId(element)}:redacted`,
          'The agent reports this store with its credentials removed: add the store URL to the setting lifeboat.sources.',
          'warning',
          {
            command: 'workbench.action.openSettings',
            title: 'Open Settings',
            arguments: ['lifeboat.sources'],
          },
        ),
      ];
    }
    const entries = await this.#deps.stores.catalog(element.source.url);
    if (entries.length === 0)
      return [message(`${nodeId(element)}:empty`, 'No backups in this store yet.', 'info')];
    return [...groupEntries(entries).keys()].map((cluster) => ({
      kind: 'cluster',
      source: element.source,
      cluster,
      entries: entries.filter((e) => e.cluster === cluster),
    }));
  }

  async #page(element: NodeNode): Promise<BackupsNode[]> {
    const limit = this.#shown.get(nodeId(element)) ?? this.#deps.settings().pageSize;
    const page = element.entries.slice(0, limit);
    const url = element.source.url;
    const cacheKey = (e: (typeof page)[number]) => `${url}#${e.cluster}/${e.node}/${e.id}`;
    const missing = page.filter((e) => !this.#described.has(cacheKey(e)));
    if (missing.length) {
      const store = await this.#deps.stores.open(url);
      const described = await describeBackups(store, missing);
      for (const [i, e] of missing.entries()) this.#described.set(cacheKey(e), described[i]!);
    }
    const nodes: BackupsNode[] = page.map(
      (e): BackupNode => ({
        kind: 'backup',
        source: element.source,
        backup: this.#described.get(cacheKey(e))!,
      }),
    );
    const remaining = element.entries.length - page.length;
    if (remaining > 0) nodes.push({ kind: 'more', parent: element, remaining });
    return nodes;
  }

  getTreeItem(node: BackupsNode): vscode.TreeItem {
    const now = this.#deps.now?.() ?? new Date();
    const item = treeItem(node, now, this.#deps.verifications, this.#deps.settings().pageSize);
    item.id = nodeId(node);
    return item;
  }

  dispose(): void {
    this.#changed.dispose();
  }
}

const rootMarker: MessageNode = { kind: 'message', id: 'root', text: '', severity: 'info' };

function message(
  id: string,
  text: string,
  severity: MessageNode['severity'],
  command?: MessageNode['command'],
): MessageNode {
  return { kind: 'message', id, text, severity, ...(command ? { command } : {}) };
}

function labelOf(node: BackupsNode): string {
  switch (node.kind) {
    case 'source':
      return node.source.label;
    case 'cluster':
      return `cluster ${node.cluster}`;
    case 'node':
      return `${node.cluster}/${node.node}`;
    default:
      return 'backups';
  }
}

const color = (id: string) => new vscode.ThemeColor(id);

/** The icon and contextValue (what menus match) of a backup: its state and last verification. */
export function backupLook(
  backup: ListedBackup,
  verified: { ok: boolean } | undefined,
): { icon: string; color?: string; contextValue: string } {
  if (backup.state === 'incomplete')
    return { icon: 'warning', color: 'list.warningForeground', contextValue: 'backup.incomplete' };
  if (backup.state === 'invalid')
    return { icon: 'error', color: 'list.errorForeground', contextValue: 'backup.invalid' };
  if (verified?.ok)
    return { icon: 'pass-filled', color: 'testing.iconPassed', contextValue: 'backup.verified' };
  if (verified) return { icon: 'error', color: 'testing.iconFailed', contextValue: 'backup.failed' };
  return { icon: 'archive', contextValue: 'backup.complete' };
}

function treeItem(
  node: BackupsNode,
  now: Date,
  verifications: Verifications,
  pageSize: number,
): vscode.TreeItem {
  const { Collapsed, None } = vscode.TreeItemCollapsibleState;
  switch (node.kind) {
    case 'source': {
      const item = new vscode.TreeItem(node.source.label, Collapsed);
      const origin = node.source.origin;
      item.description =
        origin.kind === 'cluster' ? `kube context · ${sourceLabel(node.source.url)}` : undefined;
      item.tooltip =
        origin.kind === 'cluster'
          ? `${origin.context}: backups of cluster ${origin.cluster} in ${node.source.url}`
          : node.source.url;
      item.iconPath = new vscode.ThemeIcon(origin.kind === 'cluster' ? 'cloud' : 'database');
      item.contextValue = origin.kind === 'cluster' ? 'source.cluster' : 'source.settings';
      return item;
    }
    case 'cluster': {
      const item = new vscode.TreeItem(node.cluster, Collapsed);
      item.description = count(node.entries.length, 'backup');
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.contextValue = 'cluster';
      return item;
    }
    case 'node': {
      const item = new vscode.TreeItem(node.node, Collapsed);
      const newest = node.entries[0];
      item.description = `${count(node.entries.length, 'backup')}${newest ? ` · newest ${formatAge(newest.time, now)}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('server');
      item.contextValue = 'node';
      return item;
    }
    case 'backup': {
      const { backup } = node;
      const verification = verifications.get(backupKey(node.source.url, backup));
      const look = backupLook(backup, verification);
      const item = new vscode.TreeItem(backupLabel(new Date(backup.time)), None);
      item.description = backupDescription(backup, now);
      item.tooltip = backupTooltip(backup, verification);
      item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? color(look.color) : undefined);
      item.contextValue = look.contextValue;
      // Screen readers (and UI tests) read the time, the facts and the state, not the long tooltip.
      item.accessibilityInformation = {
        label: `${item.label}, ${item.description}, ${look.contextValue.replace('backup.', '')}`,
      };
      return item;
    }
    case 'more': {
      const item = new vscode.TreeItem(`Show ${Math.min(pageSize, node.remaining)} more…`, None);
      item.description = `${node.remaining} older`;
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.contextValue = 'more';
      item.command = { command: 'lifeboat.showMore', title: 'Show More', arguments: [node] };
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.text, None);
      item.tooltip = node.detail ?? node.text;
      item.iconPath = new vscode.ThemeIcon(
        node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info',
      );
      item.contextValue = 'message';
      if (node.command) item.command = node.command;
      return item;
    }
  }
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
