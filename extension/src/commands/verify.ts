// Verify a backup: without a private key, what an auditor checks (metadata,
// signatures, the payload's size and sha256); with one, also decryption, the
// bundle against its manifest, and the snapshot read as a database. The same
// verifyBackup() as `lifeboat verify`.
import { type VerifyReport, verifyBackup } from '@lifeboat/agent/library';
import * as vscode from 'vscode';
import { showLogAction } from '../notify.ts';
import { withCancellableProgress } from '../progress.ts';
import { backupKey, summarize } from '../tree/verification.ts';
import { backupArg, backupTitle } from './arguments.ts';
import type { ExtensionCommand, Services } from './command.ts';
import { decryptingReader } from './decrypting-reader.ts';

async function report(
  s: Services,
  title: string,
  key: string,
  result: VerifyReport,
  deep: boolean,
): Promise<void> {
  const verification = summarize(result, deep);
  s.verifications.set(key, verification);
  s.backups.redraw();
  for (const check of result.checks)
    s.log.info(`verify ${title}: ${check.ok ? 'ok' : 'FAILED'} ${check.name}: ${check.detail}`);
  if (result.snapshot) s.log.info(`verify ${title}: snapshot status ${JSON.stringify(result.snapshot)}`);
  if (result.ok) {
    void vscode.window.showInformationMessage(
      `Lifeboat: backup ${title} verified — ${verification.summary}.`,
    );
    return;
  }
  const choice = await vscode.window.showErrorMessage(
    `Lifeboat: backup ${title} FAILED verification — ${verification.summary}`,
    showLogAction,
  );
  if (choice === showLogAction) s.log.show(true);
}

export const verify: ExtensionCommand = {
  id: 'lifeboat.verify',
  async run(s, arg) {
    const node = backupArg(arg, 'verify a backup');
    const title = backupTitle(node);
    const store = await s.stores.open(node.source.url);
    const verificationKeys = await s.keys.verificationKeys();
    const result = await withCancellableProgress(`Verifying ${title}`, (onProgress, signal) =>
      verifyBackup({
        store,
        id: node.backup.id,
        cluster: node.backup.cluster,
        node: node.backup.node,
        verificationKeys,
        signal,
        onProgress,
      }),
    );
    await report(s, title, backupKey(node.source.url, node.backup), result, false);
  },
};

export const verifyWithKey: ExtensionCommand = {
  id: 'lifeboat.verifyWithKey',
  async run(s, arg) {
    const node = backupArg(arg, 'verify a backup');
    const title = backupTitle(node);
    const reader = await decryptingReader(
      s,
      { sourceUrl: node.source.url, ...node.backup },
      `decrypt ${title}`,
    );
    if (!reader) return;
    const result = await withCancellableProgress(`Decrypting and verifying ${title}`, (onProgress, signal) =>
      verifyBackup({ ...reader, signal, onProgress }),
    );
    await report(s, title, backupKey(node.source.url, node.backup), result, true);
  },
};
