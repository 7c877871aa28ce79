import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as vscode from './fake-vscode.ts';

vi.mock('vscode', () => import('./fake-vscode.ts'));

const { activate, backupsViewId } = await import('../src/extension.ts');
const { BackupsProvider } = await import('../src/tree/backups-provider.ts');
const { registerCommands } = await import('../src/commands/register.ts');
const { LifeboatError } = await import('@lifeboat/core');

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
  };
}
const manifest: Manifest = JSON.parse(await readFile(join(import.meta.dirname, '../package.json'), 'utf8'));

function activated() {
  const context = { subscriptions: [] as { dispose(): unknown }[] };
  activate(context as never);
  return context;
}

beforeEach(() => {
  vscode.reset();
});

describe('activate', () => {
  it('registers exactly the commands package.json contributes', () => {
    activated();
    expect([...vscode.registered.commands.keys()].sort()).toEqual(
      manifest.contributes.commands.map((c) => c.command).sort(),
    );
  });

  it('creates the "Lifeboat" log channel, which lifeboat.showLog opens', async () => {
    activated();
    expect(vscode.registered.channels.map((c) => [c.name, c.options])).toEqual([['Lifeboat', { log: true }]]);
    const channel = vscode.registered.channels[0]!;
    expect(channel.shown).toBe(0);
    await vscode.commands.executeCommand('lifeboat.showLog');
    expect(channel.shown).toBe(1);
  });

  it('provides the backups view that package.json contributes', () => {
    activated();
    const contributed = Object.values(manifest.contributes.views).flat();
    expect(contributed.map((v) => v.id)).toContain(backupsViewId);
    expect([...vscode.registered.treeProviders.keys()]).toEqual([backupsViewId]);
  });

  it('hands everything it registers to VS Code for disposal', () => {
    const context = activated();
    for (const item of context.subscriptions) item.dispose();
    expect(vscode.registered.commands.size).toBe(0);
    expect(vscode.registered.treeProviders.size).toBe(0);
  });
});

describe('registerCommands', () => {
  it('logs a failing command and tells the user in one line', async () => {
    const log = vscode.window.createOutputChannel('test', { log: true });
    registerCommands(
      [
        {
          id: 'lifeboat.fails',
          run: () => {
            throw new LifeboatError('store', 'bucket "b" refused access\nrequest id 42');
          },
        },
      ],
      { log: log as never },
    );
    await vscode.commands.executeCommand('lifeboat.fails');
    expect(vscode.registered.errorMessages).toEqual([
      'Lifeboat: store: bucket "b" refused access request id 42',
    ]);
    expect(log.lines).toEqual([expect.stringMatching(/^error lifeboat\.fails failed: .*refused access/)]);
  });
});

describe('BackupsProvider', () => {
  it('lists backups newest first, labelled by the pure label functions', () => {
    const provider = new BackupsProvider();
    const changes: unknown[] = [];
    provider.onDidChangeTreeData((change) => changes.push(change));
    const summary = (id: string, createdAt: string) => ({
      id,
      cluster: 'prod',
      node: 'cp-1',
      createdAt: new Date(createdAt),
      payloadBytes: 2048,
      revision: 10,
    });
    expect(provider.getChildren()).toEqual([]);
    provider.show([
      summary('20261121T100000Z', '2026-11-21T10:00:00Z'),
      summary('20261121T120000Z', '2026-11-21T12:00:00Z'),
    ]);
    expect(changes).toHaveLength(1);
    const items = provider.getChildren();
    expect(items.map((item) => item.id)).toEqual([
      'prod/cp-1/20261121T120000Z',
      'prod/cp-1/20261121T100000Z',
    ]);
    expect(items[0]!.description).toMatch(/ · 2\.0 KiB · rev 10$/);
    expect(items[0]!.contextValue).toBe('backup');
  });
});

describe('package.json', () => {
  it('is a VS Code manifest whose activation events name contributed views and commands', () => {
    const views = Object.values(manifest.contributes.views)
      .flat()
      .map((v) => `onView:${v.id}`);
    const commands = manifest.contributes.commands.map((c) => `onCommand:${c.command}`);
    for (const event of manifest.activationEvents) expect([...views, ...commands]).toContain(event);
    expect(manifest.main).toBe('./dist/extension.cjs');
  });

  it('puts the backups view in the Lifeboat activity-bar container, with an icon that exists', async () => {
    const [container] = manifest.contributes.viewsContainers.activitybar;
    expect(container?.id).toBe('lifeboat');
    expect(manifest.contributes.views['lifeboat']?.map((v) => v.id)).toEqual(['lifeboat.backups']);
    await expect(readFile(join(import.meta.dirname, '..', container!.icon), 'utf8')).resolves.toMatch(
      /^<svg /,
    );
  });
});
