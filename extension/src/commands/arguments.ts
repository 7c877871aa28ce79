// Commands on tree items get the item's element as their first argument; from
// the command palette they get nothing. These say clearly which it must be.
import { LifeboatError } from '@lifeboat/core';
import type { OpenedNode } from '../opened/opened-provider.ts';
import type { PlanNode } from '../plan/plan-provider.ts';
import type { BackupNode, BackupsNode, NodeNode, SourceNode } from '../tree/nodes.ts';

function kindOf(arg: unknown): string | undefined {
  return typeof arg === 'object' && arg !== null && 'kind' in arg
    ? String((arg as { kind: unknown }).kind)
    : undefined;
}

export function backupArg(arg: unknown, action: string): BackupNode {
  if (kindOf(arg) !== 'backup') {
    throw new LifeboatError('usage', `to ${action}, right-click a backup in the Lifeboat Backups view`);
  }
  const node = arg as BackupNode;
  if (node.backup.state !== 'complete') {
    throw new LifeboatError(
      'integrity',
      `backup ${node.backup.id} of ${node.backup.cluster}/${node.backup.node} is ${node.backup.state} (${node.backup.problem ?? 'no metadata'}): it cannot be used`,
    );
  }
  return node;
}

export function nodeArg(arg: unknown): NodeNode | undefined {
  return kindOf(arg) === 'node' ? (arg as NodeNode) : undefined;
}

export function sourceArg(arg: unknown): SourceNode | undefined {
  return kindOf(arg) === 'source' ? (arg as SourceNode) : undefined;
}

export function openedArg<K extends OpenedNode['kind']>(
  arg: unknown,
  kind: K,
  action: string,
): Extract<OpenedNode, { kind: K }> {
  if (kindOf(arg) !== kind)
    throw new LifeboatError('usage', `to ${action}, use the Lifeboat Opened Backups view`);
  return arg as Extract<OpenedNode, { kind: K }>;
}

export function planArg<K extends PlanNode['kind']>(
  arg: unknown,
  kind: K,
  action: string,
): Extract<PlanNode, { kind: K }> {
  if (kindOf(arg) !== kind)
    throw new LifeboatError('usage', `to ${action}, use the Lifeboat Restore Plan view`);
  return arg as Extract<PlanNode, { kind: K }>;
}

export type { BackupsNode };

/** "prod/cp-1 2026-11-21 14:30 (20261121T143000Z)", for titles and messages. */
export function backupTitle(node: BackupNode): string {
  return `${node.backup.cluster}/${node.backup.node} ${node.backup.id}`;
}
