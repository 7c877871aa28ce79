// Make a restore plan for a backup: the same restorePlan() as
// `lifeboat restore-plan --store`. It asks only what it cannot derive — the
// private key (to read the backed-up etcd.yaml) and where that key will be on
// the nodes; the members come from the backed-up etcd.yaml unless changed.
import { isAbsolute, join } from 'node:path';
import { restorePlan } from '@lifeboat/agent/library';
import { LifeboatError } from '@lifeboat/core';
import { parseMembers, type TargetMember } from '@lifeboat/restore';
import * as vscode from 'vscode';
import type { RestoreRequest } from '../plan/restore-session.ts';
import { withCancellableProgress } from '../progress.ts';
import { backupArg } from './arguments.ts';
import type { ExtensionCommand, Services } from './command.ts';
import { decryptingReader } from './decrypting-reader.ts';
import { openRunbookOf, openScriptOf, showManifestEditOf } from './plan-actions.ts';

const defaultNodeKeyPath = '/root/lifeboat/restore-key.asc';

async function askNodeKeyPath(s: Services): Promise<string | undefined> {
  const configured = s.settings().nodeKeyPath;
  if (configured) return configured;
  return vscode.window.showInputBox({
    title: 'Lifeboat: where is the private key on the control-plane nodes?',
    prompt:
      'The restore scripts run "lifeboat fetch --key PATH" on each node. Set lifeboat.restore.nodeKeyPath to stop being asked.',
    value: defaultNodeKeyPath,
    ignoreFocusOut: true,
    validateInput: (v) =>
      isAbsolute(v.trim()) ? undefined : 'an absolute path on the nodes, e.g. /root/lifeboat/restore-key.asc',
  });
}

async function makePlan(s: Services, request: RestoreRequest, members?: TargetMember[]): Promise<void> {
  const title = `${request.cluster}/${request.node} ${request.id}`;
  const reader = await decryptingReader(s, request, `plan the restore of ${title}`);
  if (!reader) return;
  const resticPasswordFile = s.settings().resticPasswordFile;
  const out = join(s.storageDir, 'plans', `${request.cluster}-${request.node}-${request.id}`);
  const { plan, written } = await withCancellableProgress(
    `Planning the restore of ${title}`,
    (onProgress, signal) =>
      restorePlan({
        store: {
          ...reader,
          url: request.sourceUrl,
          keyPath: request.nodeKeyPath,
          ...(resticPasswordFile ? { resticPasswordFile } : {}),
          onProgress,
        },
        ...(members ? { members } : {}),
        out,
        signal,
      }),
  );
  const session = { title, plan, written, request };
  s.plans.show(session);
  s.log.info(
    `restore plan for ${title}: ${plan.members.map((m) => `${m.name}=${m.peerUrl}`).join(', ')} (from ${plan.topologySource}); written to ${written.dir}`,
  );
  for (const w of plan.warnings) s.log.warn(`restore plan for ${title}: ${w.message}`);
  await vscode.commands.executeCommand('lifeboat.plan.focus');
  await openRunbookOf(session);
  const first = plan.members[0];
  if (first) await openScriptOf(session, first.name);
  const edited = plan.members.find((m) => m.manifest);
  if (edited) await showManifestEditOf(s, session, edited.name);
  if (plan.warnings.length) {
    void vscode.window.showWarningMessage(
      `Lifeboat: the restore plan for ${title} has ${plan.warnings.length} warning${plan.warnings.length === 1 ? '' : 's'}: ${plan.warnings[0]!.message}`,
    );
  }
}

export const restorePlanCommand: ExtensionCommand = {
  id: 'lifeboat.restorePlan',
  async run(s, arg) {
    const node = backupArg(arg, 'plan a restore');
    const nodeKeyPath = await askNodeKeyPath(s);
    if (!nodeKeyPath) return;
    await makePlan(s, {
      sourceUrl: node.source.url,
      cluster: node.backup.cluster,
      node: node.backup.node,
      id: node.backup.id,
      nodeKeyPath: nodeKeyPath.trim(),
    });
  },
};

/** Plans again with other members than the backed-up etcd.yaml names. */
export const changeMembers: ExtensionCommand = {
  id: 'lifeboat.changeMembers',
  async run(s) {
    const session = s.plans.session;
    if (!session)
      throw new LifeboatError('usage', 'make a restore plan first (right-click a backup → Plan Restore)');
    const current = session.plan.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    const entered = await vscode.window.showInputBox({
      title: 'Lifeboat: members of the restored etcd cluster',
      prompt: "name=peerURL for every member, comma-separated (names as in each node's etcd.yaml --name)",
      value: current,
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          parseMembers(v);
          return undefined;
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      },
    });
    if (!entered || entered === current) return;
    await makePlan(s, session.request, parseMembers(entered));
  },
};
