// The Restore Plan view: the plan's warnings, the shell helpers to paste
// first, then each member with its steps in order. Steps copy their
// commands; members open their script and their etcd.yaml diff.
import type { MemberPlan, PlanStep } from '@lifeboat/restore';
import * as vscode from 'vscode';
import type { RestoreSession } from './restore-session.ts';

export type PlanNode =
  | { kind: 'summary'; session: RestoreSession }
  | { kind: 'warnings'; session: RestoreSession }
  | { kind: 'warning'; text: string; index: number }
  | { kind: 'helpers'; session: RestoreSession }
  | { kind: 'member'; session: RestoreSession; member: MemberPlan; script: string }
  | { kind: 'step'; session: RestoreSession; member: MemberPlan; step: PlanStep; index: number };

export class PlanProvider implements vscode.TreeDataProvider<PlanNode>, vscode.Disposable {
  #session: RestoreSession | undefined;
  readonly #changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.#changed.event;

  get session(): RestoreSession | undefined {
    return this.#session;
  }

  show(session: RestoreSession): void {
    this.#session = session;
    void vscode.commands.executeCommand('setContext', 'lifeboat.hasPlan', true);
    this.#changed.fire(undefined);
  }

  getChildren(node?: PlanNode): PlanNode[] {
    const session = this.#session;
    if (!session) return [];
    if (!node) {
      const { plan, written } = session;
      return [
        { kind: 'summary', session },
        ...(plan.warnings.length ? [{ kind: 'warnings', session } as const] : []),
        { kind: 'helpers', session },
        ...plan.members.map((member, i) => ({
          kind: 'member' as const,
          session,
          member,
          script: written.scripts[i] ?? '',
        })),
      ];
    }
    if (node.kind === 'warnings')
      return node.session.plan.warnings.map((w, index) => ({ kind: 'warning', text: w.message, index }));
    if (node.kind === 'member')
      return node.member.steps.map((step, index) => ({
        kind: 'step',
        session: node.session,
        member: node.member,
        step,
        index,
      }));
    return [];
  }

  getTreeItem(node: PlanNode): vscode.TreeItem {
    const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
    let item: vscode.TreeItem;
    switch (node.kind) {
      case 'summary': {
        const { plan } = node.session;
        item = new vscode.TreeItem(node.session.title, None);
        item.description = `${plan.members.length} member${plan.members.length === 1 ? '' : 's'} · topology from ${plan.topologySource}`;
        item.tooltip = `Restore plan written to ${node.session.written.dir}\nOpen RUNBOOK.md and read it through before running anything.`;
        item.iconPath = new vscode.ThemeIcon('book');
        item.contextValue = 'planSummary';
        item.command = { command: 'lifeboat.openRunbook', title: 'Open Runbook', arguments: [] };
        break;
      }
      case 'warnings':
        item = new vscode.TreeItem('Warnings', Expanded);
        item.description = `${node.session.plan.warnings.length}`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        break;
      case 'warning':
        item = new vscode.TreeItem(node.text, None);
        item.tooltip = node.text;
        break;
      case 'helpers':
        item = new vscode.TreeItem('Shell helpers (paste first)', None);
        item.description = 'fail, warn, step, retry, etcdctl_, $ASIDE';
        item.tooltip = node.session.plan.prelude.join('\n');
        item.iconPath = new vscode.ThemeIcon('terminal');
        item.contextValue = 'planHelpers';
        break;
      case 'member':
        item = new vscode.TreeItem(node.member.name, Collapsed);
        item.description = node.member.peerUrl;
        item.tooltip = `restores into ${node.member.dataDir} (the old data stays in ${node.member.oldDataDir})`;
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = node.member.manifest ? 'planMember.withEdit' : 'planMember';
        break;
      case 'step':
        item = new vscode.TreeItem(`${node.index + 1}. ${node.step.title}`, None);
        item.description = node.step.commands.length
          ? `${node.step.commands.length} command${node.step.commands.length === 1 ? '' : 's'}`
          : 'no commands';
        item.tooltip = `${node.step.why}\n\n${node.step.commands.join('\n')}`;
        item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
        item.contextValue = node.step.commands.length ? 'planStep' : 'planStep.empty';
        break;
    }
    item.id = planNodeId(node);
    return item;
  }

  dispose(): void {
    this.#changed.dispose();
  }
}

function planNodeId(node: PlanNode): string {
  switch (node.kind) {
    case 'warning':
      return `warning:${node.index}`;
    case 'member':
      return `member:${node.member.name}`;
    case 'step':
      return `step:${node.member.name}:${node.index}`;
    default:
      return node.kind;
  }
}
