// The Opened Backups view: each opened backup with its extracted files and
// the snapshot's Kubernetes objects (namespace → kind → name). Files and
// objects open as read-only documents; objects can be saved as YAML for a
// single-object restore (kubectl apply -f).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getSnapshotObject, type SnapshotEntry } from '@lifeboat/agent/library';
import { snapshotPath } from '@lifeboat/bundle';
import { errorLine } from '@lifeboat/core';
import * as vscode from 'vscode';
import type { VirtualDocuments } from '../documents/virtual-documents.ts';
import { formatSize } from '../tree/labels.ts';
import { groupObjects, type ObjectGroup } from './object-tree.ts';
import type { OpenedBackup, OpenedBackups } from './opened-backups.ts';

export type OpenedNode =
  | { kind: 'opened'; opened: OpenedBackup }
  | { kind: 'files'; opened: OpenedBackup }
  | { kind: 'path'; opened: OpenedBackup; path: string; directory: boolean; size: number }
  | { kind: 'objects'; opened: OpenedBackup }
  | { kind: 'namespace'; opened: OpenedBackup; group: ObjectGroup }
  | { kind: 'kind'; opened: OpenedBackup; namespace: string; name: string; objects: SnapshotEntry[] }
  | { kind: 'object'; opened: OpenedBackup; entry: SnapshotEntry }
  | { kind: 'message'; id: string; text: string };

/** Where an object's YAML document lives, e.g. /opened/1/objects/default/ConfigMap/app.yaml. */
export function objectDocumentPath(opened: OpenedBackup, entry: SnapshotEntry): string {
  const segment = (s: string) => s.replace(/[/\\]/g, '_');
  return `/opened/${opened.handle}/objects/${segment(entry.namespace || '_cluster')}/${segment(entry.kind ?? entry.resource ?? 'object')}/${segment(entry.name ?? 'unnamed')}.yaml`;
}

export class OpenedProvider implements vscode.TreeDataProvider<OpenedNode>, vscode.Disposable {
  readonly #opened: OpenedBackups;
  readonly #documents: VirtualDocuments;
  readonly #changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #subscription: vscode.Disposable;

  constructor(opened: OpenedBackups, documents: VirtualDocuments) {
    this.#opened = opened;
    this.#documents = documents;
    this.#subscription = opened.onDidChange(() => this.#changed.fire(undefined));
  }

  /** The read-only document of an object's YAML, as kubectl would apply it. */
  objectUri(opened: OpenedBackup, entry: SnapshotEntry): vscode.Uri {
    return this.#documents.register(objectDocumentPath(opened, entry), async () => {
      const { output } = await getSnapshotObject(opened.snapshotFile, entry.key, 'yaml');
      return String(output);
    });
  }

  fileUri(opened: OpenedBackup, path: string): vscode.Uri {
    return this.#documents.register(`/opened/${opened.handle}/files/${path}`, () =>
      readFile(join(opened.bundleDir, path), 'utf8'),
    );
  }

  async getChildren(node?: OpenedNode): Promise<OpenedNode[]> {
    if (!node) return this.#opened.list().map((opened) => ({ kind: 'opened', opened }));
    const { opened } = node as { opened: OpenedBackup };
    try {
      switch (node.kind) {
        case 'opened':
          return [
            { kind: 'files', opened },
            { kind: 'objects', opened },
          ];
        case 'files':
          return await this.#directory(opened, '');
        case 'path':
          return node.directory ? await this.#directory(opened, node.path) : [];
        case 'objects': {
          const groups = groupObjects(await this.#opened.objects(opened));
          if (groups.length === 0)
            return [
              {
                kind: 'message',
                id: `${opened.handle}:none`,
                text: 'No Kubernetes objects in this snapshot.',
              },
            ];
          return groups.map((group) => ({ kind: 'namespace', opened, group }));
        }
        case 'namespace':
          return node.group.kinds.map((k) => ({
            kind: 'kind',
            opened,
            namespace: node.group.namespace,
            name: k.kind,
            objects: k.objects,
          }));
        case 'kind':
          return node.objects.map((entry) => ({ kind: 'object', opened, entry }));
        default:
          return [];
      }
    } catch (err) {
      return [
        {
          kind: 'message',
          id: `${opened.handle}:${node.kind}:error`,
          text: `Cannot read: ${errorLine(err)}`,
        },
      ];
    }
  }

  async #directory(opened: OpenedBackup, path: string): Promise<OpenedNode[]> {
    const entries = await readdir(join(opened.bundleDir, path), { withFileTypes: true });
    const nodes = await Promise.all(
      entries.map(async (e): Promise<OpenedNode> => {
        const child = path ? `${path}/${e.name}` : e.name;
        const directory = e.isDirectory();
        const size = directory ? 0 : (await stat(join(opened.bundleDir, child))).size;
        return { kind: 'path', opened, path: child, directory, size };
      }),
    );
    // Folders first, then files, each by name: as the Explorer shows them.
    return nodes.sort((a, b) => {
      const x = a as Extract<OpenedNode, { kind: 'path' }>;
      const y = b as Extract<OpenedNode, { kind: 'path' }>;
      return Number(y.directory) - Number(x.directory) || x.path.localeCompare(y.path);
    });
  }

  getTreeItem(node: OpenedNode): vscode.TreeItem {
    const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
    const icon = (id: string) => new vscode.ThemeIcon(id);
    let item: vscode.TreeItem;
    switch (node.kind) {
      case 'opened':
        item = new vscode.TreeItem(node.opened.label, Expanded);
        item.description = `${node.opened.fetched.files} files · ${formatSize(node.opened.fetched.bytes)}`;
        item.tooltip = `${node.opened.cluster}/${node.opened.node} ${node.opened.id}, decrypted into ${node.opened.dir} (removed on close)`;
        item.iconPath = icon('unlock');
        item.contextValue = 'opened';
        break;
      case 'files':
        item = new vscode.TreeItem('Files', Collapsed);
        item.iconPath = icon('files');
        item.contextValue = 'openedFiles';
        break;
      case 'path': {
        const name = node.path.split('/').pop() ?? node.path;
        item = new vscode.TreeItem(name, node.directory ? Collapsed : None);
        item.iconPath = node.directory ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.file(join(node.opened.bundleDir, node.path));
        if (!node.directory) {
          item.description = formatSize(node.size);
          item.contextValue = node.path === snapshotPath ? 'openedSnapshot' : 'openedFile';
          // The snapshot is a binary database: browse it under "Kubernetes objects" instead.
          if (node.path !== snapshotPath) {
            item.command = {
              command: 'vscode.open',
              title: 'Open',
              arguments: [this.fileUri(node.opened, node.path), { preview: true }],
            };
          }
        }
        break;
      }
      case 'objects':
        item = new vscode.TreeItem('Kubernetes objects', Collapsed);
        item.iconPath = icon('symbol-class');
        item.contextValue = 'openedObjects';
        break;
      case 'namespace':
        item = new vscode.TreeItem(node.group.namespace, Collapsed);
        item.description = `${node.group.kinds.reduce((n, k) => n + k.objects.length, 0)} objects`;
        item.iconPath = icon('symbol-namespace');
        item.contextValue = 'objectNamespace';
        break;
      case 'kind':
        item = new vscode.TreeItem(node.name, Collapsed);
        item.description = `${node.objects.length}`;
        item.iconPath = icon('symbol-struct');
        item.contextValue = 'objectKind';
        break;
      case 'object': {
        const e = node.entry;
        item = new vscode.TreeItem(e.name ?? e.key, None);
        item.description =
          e.encoding === 'encrypted' ? `encrypted (${e.provider ?? '?'})` : formatSize(e.size);
        item.tooltip = `${e.key}\n${e.apiVersion ?? '?'} ${e.kind ?? '?'}, ${e.size} bytes stored as ${e.encoding}, mod revision ${e.modRevision}`;
        item.iconPath = icon(e.encoding === 'encrypted' ? 'lock' : 'symbol-file');
        item.contextValue = 'object';
        item.command = { command: 'lifeboat.openObject', title: 'Open Object', arguments: [node] };
        break;
      }
      case 'message':
        item = new vscode.TreeItem(node.text, None);
        item.iconPath = icon('info');
        break;
    }
    item.id = openedNodeId(node);
    return item;
  }

  dispose(): void {
    this.#subscription.dispose();
    this.#changed.dispose();
  }
}

function openedNodeId(node: OpenedNode): string {
  switch (node.kind) {
    case 'opened':
    case 'files':
    case 'objects':
      return `${node.opened.handle}:${node.kind}`;
    case 'path':
      return `${node.opened.handle}:path:${node.path}`;
    case 'namespace':
      return `${node.opened.handle}:ns:${node.group.namespace}`;
    case 'kind':
      return `${node.opened.handle}:kind:${node.namespace}/${node.name}`;
    case 'object':
      return `${node.opened.handle}:object:${node.entry.key}`;
    case 'message':
      return `message:${node.id}`;
  }
}
