// Open a backup (decrypt and extract it into a private temp folder), browse
// its files and Kubernetes objects, save one object as YAML, close it.
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getSnapshotObject } from '@lifeboat/agent/library';
import * as vscode from 'vscode';
import { withCancellableProgress } from '../progress.ts';
import { backupLabel } from '../tree/labels.ts';
import { backupArg, backupTitle, openedArg } from './arguments.ts';
import type { ExtensionCommand } from './command.ts';
import { decryptingReader } from './decrypting-reader.ts';

export const openBackup: ExtensionCommand = {
  id: 'lifeboat.openBackup',
  async run(s, arg) {
    const node = backupArg(arg, 'open a backup');
    const title = backupTitle(node);
    const reader = await decryptingReader(s, { sourceUrl: node.source.url, ...node.backup }, `open ${title}`);
    if (!reader) return;
    const opened = await withCancellableProgress(`Opening ${title}`, (onProgress, signal) =>
      s.opened.open(
        {
          sourceUrl: node.source.url,
          label: `${node.backup.cluster}/${node.backup.node} ${backupLabel(new Date(node.backup.time))}`,
        },
        { ...reader, signal, onProgress },
      ),
    );
    s.log.info(
      `opened ${title} into ${opened.dir}: ${opened.fetched.files} files${opened.fetched.signer ? `, signed by ${opened.fetched.signer}` : ''}`,
    );
    await vscode.commands.executeCommand('lifeboat.opened.focus');
  },
};

export const closeBackup: ExtensionCommand = {
  id: 'lifeboat.closeBackup',
  async run(s, arg) {
    const node = openedArg(arg, 'opened', 'close a backup');
    await s.opened.close(node.opened.handle);
    s.documents.forget(`/opened/${node.opened.handle}/`);
    s.log.info(`closed ${node.opened.label}; removed ${node.opened.dir}`);
  },
};

export const openObject: ExtensionCommand = {
  id: 'lifeboat.openObject',
  async run(s, arg) {
    const node = openedArg(arg, 'object', 'open an object');
    const uri = s.openedView.objectUri(node.opened, node.entry);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(document, { preview: true });
  },
};

export const saveObjectAsYaml: ExtensionCommand = {
  id: 'lifeboat.saveObjectAsYaml',
  async run(s, arg) {
    const node = openedArg(arg, 'object', 'save an object');
    const { entry } = node;
    const name = `${entry.namespace ? `${entry.namespace}-` : ''}${(entry.kind ?? 'object').toLowerCase()}-${entry.name ?? 'unnamed'}.yaml`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
    const target = await vscode.window.showSaveDialog({
      title: `Lifeboat: save ${entry.kind ?? 'object'} ${entry.name ?? entry.key} as YAML`,
      defaultUri: vscode.Uri.file(join(folder, name.replace(/[/\\]/g, '_'))),
      filters: { YAML: ['yaml', 'yml'] },
    });
    if (!target) return;
    const { output } = await getSnapshotObject(node.opened.snapshotFile, entry.key, 'yaml');
    await writeFile(target.fsPath, String(output), { mode: 0o600 });
    s.log.info(`saved ${entry.key} from ${node.opened.label} to ${target.fsPath}`);
    const open = 'Open';
    const choice = await vscode.window.showInformationMessage(
      `Lifeboat: saved ${entry.kind ?? 'object'} ${entry.name ?? ''} to ${target.fsPath} — restore it with kubectl apply -f (server-side: --server-side).`,
      open,
    );
    if (choice === open) await vscode.window.showTextDocument(target);
  },
};
