// What the Restore Plan view offers: the runbook, each member's script, its
// etcd.yaml edit as a diff, and each step's commands on the clipboard.

import { LifeboatError } from '@lifeboat/core';
import * as vscode from 'vscode';
import { manifestEditUris, type RestoreSession, stepText } from '../plan/restore-session.ts';
import { planArg } from './arguments.ts';
import type { ExtensionCommand, Services } from './command.ts';

function current(s: Services): RestoreSession {
  const session = s.plans.session;
  if (!session)
    throw new LifeboatError('usage', 'make a restore plan first (right-click a backup → Plan Restore)');
  return session;
}

export async function openRunbookOf(session: RestoreSession): Promise<void> {
  const uri = vscode.Uri.file(session.written.runbook);
  await vscode.window.showTextDocument(uri, { preview: false });
}

export async function openScriptOf(session: RestoreSession, member: string): Promise<void> {
  const index = session.plan.members.findIndex((m) => m.name === member);
  const script = session.written.scripts[index];
  if (!script) throw new LifeboatError('not-found', `the plan has no script for member ${member}`);
  await vscode.window.showTextDocument(vscode.Uri.file(script), { preview: false });
}

export async function showManifestEditOf(
  s: Services,
  session: RestoreSession,
  member: string,
): Promise<void> {
  const uris = manifestEditUris(s.documents, session, member);
  if (!uris) {
    throw new LifeboatError(
      'not-found',
      `no etcd.yaml of ${member} was known to the plan: its script edits the file on the node; pass that node's etcd.yaml to see the edit here`,
    );
  }
  await vscode.commands.executeCommand('vscode.diff', uris.before, uris.after, uris.title, {
    preview: false,
  });
}

export const openRunbook: ExtensionCommand = {
  id: 'lifeboat.openRunbook',
  run: (s) => openRunbookOf(current(s)),
};

export const openScript: ExtensionCommand = {
  id: 'lifeboat.openScript',
  run: (_s, arg) => {
    const node = planArg(arg, 'member', "open a member's script");
    return openScriptOf(node.session, node.member.name);
  },
};

export const showManifestEdit: ExtensionCommand = {
  id: 'lifeboat.showManifestEdit',
  run: (s, arg) => {
    const node = planArg(arg, 'member', "show a member's etcd.yaml edit");
    return showManifestEditOf(s, node.session, node.member.name);
  },
};

export const copyStepCommands: ExtensionCommand = {
  id: 'lifeboat.copyStepCommands',
  async run(s, arg) {
    const text =
      (arg as { kind?: string } | undefined)?.kind === 'helpers'
        ? `${current(s).plan.prelude.join('\n')}\n`
        : (() => {
            const node = planArg(arg, 'step', "copy a step's commands");
            return stepText(`${node.member.name}: ${node.step.title}`, node.step.commands);
          })();
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage('Lifeboat: commands copied', 3000);
  },
};
