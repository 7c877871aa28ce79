// Commands of the Backups view itself: refresh, page further, add a source.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { storeUrlOf } from '../sources/source.ts';
import type { NodeNode } from '../tree/nodes.ts';
import type { ExtensionCommand } from './command.ts';

/** Lists every store again and asks the kube contexts again. */
export const refresh: ExtensionCommand = {
  id: 'lifeboat.refresh',
  run: ({ backups }) => backups.refresh(),
};

/** The next page of a node's backups (the "Show N more…" item). */
export const showMore: ExtensionCommand = {
  id: 'lifeboat.showMore',
  run: ({ backups }, more) => {
    const parent = (more as { parent?: NodeNode } | undefined)?.parent;
    if (parent) backups.showMore(parent);
  },
};

/** Asks for a store URL or folder, checks it parses, and adds it to lifeboat.sources. */
export const addSource: ExtensionCommand = {
  id: 'lifeboat.addSource',
  async run({ settings, updateSetting, backups, log }) {
    const entry = await vscode.window.showInputBox({
      title: 'Lifeboat: Add Backup Source',
      prompt:
        'A store URL or a folder: s3://bucket/prefix?endpoint=https://minio:9000&pathStyle=true, restic:/srv/restic, /var/backups/lifeboat',
      placeHolder: 's3://bucket/prefix',
      ignoreFocusOut: true,
      validateInput: (value) => {
        if (!value.trim()) return undefined;
        try {
          storeUrlOf(value, homedir());
          return undefined;
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      },
    });
    if (!entry?.trim()) return;
    const current = settings().sources;
    if (current.includes(entry.trim())) return;
    await updateSetting('sources', [...current, entry.trim()]);
    log.info(`added backup source ${storeUrlOf(entry, homedir())}`);
    backups.refresh();
  },
};
