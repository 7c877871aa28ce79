// The Restore Plan view and its actions, over a real plan (packages/restore)
// made from kubeadm's etcd.yaml and written to disk as the CLI writes it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Activated, activate, dispose, tree, vscode } from './activate.ts';
import { metadataFor } from './store-fixtures.ts';

const { planRestore, writePlan } = await import('@lifeboat/restore');
type PlanProvider = import('../src/plan/plan-provider.ts').PlanProvider;
type PlanNode = import('../src/plan/plan-provider.ts').PlanNode;
type Session = import('../src/plan/restore-session.ts').RestoreSession;

const fixture = join(import.meta.dirname, '../../packages/etcd/test/fixtures/kubeadm-etcd.yaml');
let dir: string;
let session: Session;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-ext-plan-'));
  const ref = { cluster: 'prod', node: 'cp-1', id: '20261121T143005Z' };
  const plan = planRestore({
    metadata: metadataFor(ref, Buffer.alloc(1)),
    manifests: [{ text: await readFile(fixture, 'utf8'), source: 'bundle/kubernetes/manifests/etcd.yaml' }],
    source: { bundleDir: '/root/lifeboat-restore/20261121T143005Z', raw: false },
    now: new Date('2026-11-21T15:00:00Z'),
  });
  const written = await writePlan(plan, join(dir, 'plan'));
  session = {
    title: 'prod/cp-1 20261121T143005Z',
    plan,
    written,
    request: { sourceUrl: 'file:///x', ...ref, nodeKeyPath: '/root/key.asc' },
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let activated: Activated;
beforeEach(() => {
  vscode.reset();
  activated = activate();
  (vscode.registered.treeProviders.get('lifeboat.plan') as PlanProvider).show(session);
});
afterEach(() => dispose(activated));

const view = () => tree<PlanNode>('lifeboat.plan');

describe('Restore Plan view', () => {
  it('shows the summary, the helpers, and each member with its steps in order', async () => {
    const roots = await view().getChildren();
    const labels = roots.map((n) => view().getTreeItem(n).label);
    expect(labels[0]).toBe('prod/cp-1 20261121T143005Z');
    expect(labels).toContain('Shell helpers (paste first)');
    const member = roots.find((n) => n.kind === 'member')!;
    expect(view().getTreeItem(member)).toMatchObject({
      label: session.plan.members[0]!.name,
      contextValue: 'planMember.withEdit',
    });
    const steps = await view().getChildren(member);
    expect(steps.map((s) => view().getTreeItem(s).label)).toEqual(
      session.plan.members[0]!.steps.map((s, i) => `${i + 1}. ${s.title}`),
    );
    expect(vscode.registered.executed).toContainEqual({ id: 'setContext', args: ['lifeboat.hasPlan', true] });
  });

  it("copies a step's commands, and the helpers, to the clipboard", async () => {
    const roots = await view().getChildren();
    const member = roots.find((n) => n.kind === 'member')!;
    const steps = await view().getChildren(member);
    const restore = steps.find((s) => s.kind === 'step' && s.step.id === 'restore')!;
    await vscode.commands.executeCommand('lifeboat.copyStepCommands', restore);
    const step = (restore as Extract<PlanNode, { kind: 'step' }>).step;
    expect(vscode.registered.clipboard).toBe(
      `# ${session.plan.members[0]!.name}: ${step.title}\n${step.commands.join('\n')}\n`,
    );
    expect(vscode.registered.clipboard).toMatch(/etcdutl snapshot restore/);
    await vscode.commands.executeCommand(
      'lifeboat.copyStepCommands',
      roots.find((n) => n.kind === 'helpers'),
    );
    expect(vscode.registered.clipboard).toBe(`${session.plan.prelude.join('\n')}\n`);
  });

  it("shows a member's etcd.yaml edit as a diff of two read-only documents", async () => {
    const member = (await view().getChildren()).find((n) => n.kind === 'member')!;
    await vscode.commands.executeCommand('lifeboat.showManifestEdit', member);
    const diff = vscode.registered.executed.find((e) => e.id === 'vscode.diff')!;
    const [before, after, title] = diff.args as [
      import('./fake-vscode.ts').Uri,
      import('./fake-vscode.ts').Uri,
      string,
    ];
    expect(title).toBe(`etcd.yaml on ${session.plan.members[0]!.name}: before ↔ after restore`);
    expect(before.scheme).toBe('lifeboat');
    expect(await vscode.documentText(before)).toBe(await readFile(fixture, 'utf8'));
    const edited = await vscode.documentText(after);
    expect(edited).toBe(session.plan.members[0]!.manifest!.edit.after);
    expect(edited).not.toBe(await vscode.documentText(before));
  });

  it("opens the runbook and a member's script from the files the plan was written to", async () => {
    await vscode.commands.executeCommand('lifeboat.openRunbook');
    const member = (await view().getChildren()).find((n) => n.kind === 'member')!;
    await vscode.commands.executeCommand('lifeboat.openScript', member);
    expect(vscode.registered.shownDocuments).toEqual([
      vscode.Uri.file(session.written.runbook).toString(),
      vscode.Uri.file(session.written.scripts[0]!).toString(),
    ]);
  });

  it('asks for members again and refuses a malformed list before planning', async () => {
    vscode.answers.inputBox.push('cp-1=not a url');
    await vscode.commands.executeCommand('lifeboat.changeMembers');
    expect(vscode.registered.inputBoxes[0]!.value).toBe(
      session.plan.members.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    );
    // The fake refuses answers the box's own validation rejects: the error names why.
    expect(vscode.registered.errorMessages[0]).toMatch(/invalid value: .*peer URL/);
  });
});
