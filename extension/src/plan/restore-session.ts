// The restore plan on screen: the plan as data (from packages/restore, via
// the agent's restore-plan operation), the files it was written to, and the
// read-only documents of each member's etcd.yaml before and after the edit.
import type { RestorePlan, WrittenPlan } from '@lifeboat/restore';
import type * as vscode from 'vscode';
import type { VirtualDocuments } from '../documents/virtual-documents.ts';

export interface RestoreSession {
  /** What the plan restores, for titles: "prod/cp-1 20261121T143000Z". */
  title: string;
  plan: RestorePlan;
  written: WrittenPlan;
  /** What made it, so "Change Members…" can make it again with other members. */
  request: RestoreRequest;
}

export interface RestoreRequest {
  sourceUrl: string;
  cluster: string;
  node: string;
  id: string;
  nodeKeyPath: string;
}

let plans = 0;

/** Both sides of one member's etcd.yaml edit, for vscode.diff. */
export function manifestEditUris(
  documents: VirtualDocuments,
  session: RestoreSession,
  member: string,
): { before: vscode.Uri; after: vscode.Uri; title: string } | undefined {
  const edit = session.plan.members.find((m) => m.name === member)?.manifest?.edit;
  if (!edit) return undefined;
  const base = `/plan/${++plans}/${member}`;
  return {
    before: documents.register(`${base}/before/etcd.yaml`, () => edit.before),
    after: documents.register(`${base}/after/etcd.yaml`, () => edit.after),
    title: `etcd.yaml on ${member}: before ↔ after restore`,
  };
}

/** A step's commands as one paste-able text: the step's title as a comment, then its commands. */
export function stepText(title: string, commands: readonly string[]): string {
  return `# ${title}\n${commands.join('\n')}\n`;
}
