import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { activate, dispose, extension, vscode } from './activate.ts';

const { registerCommands } = await import('../src/commands/register.ts');
const { LifeboatError } = await import('@lifeboat/core');

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { default: unknown }> };
  };
}
const manifest: Manifest = JSON.parse(await readFile(join(import.meta.dirname, '../package.json'), 'utf8'));

beforeEach(() => {
  vscode.reset();
});

describe('activate', () => {
  it('registers exactly the commands package.json contributes', () => {
    activate();
    expect([...vscode.registered.commands.keys()].sort()).toEqual(
      manifest.contributes.commands.map((c) => c.command).sort(),
    );
  });

  it('creates the "Lifeboat" log channel, which lifeboat.showLog opens', async () => {
    activate();
    expect(vscode.registered.channels.map((c) => [c.name, c.options])).toEqual([['Lifeboat', { log: true }]]);
    const channel = vscode.registered.channels[0]!;
    await vscode.commands.executeCommand('lifeboat.showLog');
    expect(channel.shown).toBe(1);
  });

  it('provides the three views package.json contributes, and the lifeboat: documents', () => {
    activate();
    const contributed = Object.values(manifest.contributes.views)
      .flat()
      .map((v) => v.id);
    expect(contributed).toEqual([extension.backupsViewId, extension.openedViewId, extension.planViewId]);
    expect([...vscode.registered.treeProviders.keys()].sort()).toEqual([...contributed].sort());
    expect([...vscode.registered.contentProviders.keys()]).toEqual(['lifeboat']);
  });

  it('hands everything it registers to VS Code for disposal', () => {
    const activated = activate();
    dispose(activated);
    expect(vscode.registered.commands.size).toBe(0);
    expect(vscode.registered.treeProviders.size).toBe(0);
    expect(vscode.registered.contentProviders.size).toBe(0);
  });
});

describe('registerCommands', () => {
  const services = () => ({ log: vscode.window.createOutputChannel('test', { log: true }) }) as never;

  it('logs a failing command and tells the user in one line, with Show Log', async () => {
    const s = services();
    registerCommands(
      [
        {
          id: 'lifeboat.fails',
          run: () => {
            throw new LifeboatError('store', 'bucket "b" refused access\nrequest id 42');
          },
        },
      ],
      s,
    );
    vscode.answers.messageAction.push('Show Log');
    await vscode.commands.executeCommand('lifeboat.fails');
    expect(vscode.registered.messages).toEqual([
      {
        severity: 'error',
        text: 'Lifeboat: store: bucket "b" refused access request id 42',
        actions: ['Show Log'],
      },
    ]);
    const log = vscode.registered.channels[0]!;
    expect(log.lines).toEqual([expect.stringMatching(/^error lifeboat\.fails failed: .*refused access/)]);
    expect(log.shown).toBe(1);
  });

  it('says a cancelled operation quietly: a status message, no error', async () => {
    registerCommands(
      [
        {
          id: 'lifeboat.cancelled',
          run: () => {
            throw new LifeboatError('aborted', 'Verifying x: cancelled');
          },
        },
      ],
      services(),
    );
    await vscode.commands.executeCommand('lifeboat.cancelled');
    expect(vscode.registered.messages).toEqual([]);
    expect(vscode.registered.statusMessages).toEqual(['Lifeboat: Verifying x: cancelled']);
  });
});

describe('package.json', () => {
  const commandIds = new Set(manifest.contributes.commands.map((c) => c.command));

  it('titles every command for the palette with the Lifeboat category', () => {
    for (const c of manifest.contributes.commands) {
      expect(c.category).toBe('Lifeboat');
      expect(c.title).toMatch(/^[A-Z]/);
    }
  });

  it("menus name only contributed commands (or VS Code's own)", () => {
    for (const entries of Object.values(manifest.contributes.menus))
      for (const entry of entries) expect(commandIds.has(entry.command), entry.command).toBe(true);
  });

  it('menu when-clauses match contextValues the trees really use', async () => {
    const sources = await Promise.all(
      ['tree/backups-provider.ts', 'opened/opened-provider.ts', 'plan/plan-provider.ts'].map((f) =>
        readFile(join(import.meta.dirname, '../src', f), 'utf8'),
      ),
    );
    const used = new Set(
      sources.flatMap((text) =>
        [...text.matchAll(/contextValue(?:: |\s*=\s*)(?:[^;]*?)'([a-zA-Z.]+)'/g)].map((m) => m[1]!),
      ),
    );
    for (const literal of sources
      .join('\n')
      .matchAll(/'((?:backup|planMember|planStep|source)\.[a-zA-Z]+)'/g))
      used.add(literal[1]!);
    const itemMenus = manifest.contributes.menus['view/item/context'] ?? [];
    for (const entry of itemMenus) {
      const equals = entry.when?.match(/viewItem == ([\w.]+)/)?.[1];
      const pattern = entry.when?.match(/viewItem =~ \/(.+)\/( |$)/)?.[1];
      const matching = [...used].filter((v) =>
        equals ? v === equals : pattern ? new RegExp(pattern).test(v) : false,
      );
      expect(matching.length, `${entry.command} when ${entry.when}`).toBeGreaterThan(0);
    }
  });

  it('has a default for every setting the extension reads', async () => {
    const settingsSource = await readFile(join(import.meta.dirname, '../src/settings.ts'), 'utf8');
    const read = [...settingsSource.matchAll(/(?:strings|text|config\.get<[^>]+>)\('([\w.]+)'/g)].map(
      (m) => `lifeboat.${m[1]}`,
    );
    expect(read.length).toBeGreaterThan(5);
    for (const key of read) expect(manifest.contributes.configuration.properties[key], key).toBeDefined();
  });

  it('puts the views in the Lifeboat activity-bar container, with an icon that exists', async () => {
    const [container] = manifest.contributes.viewsContainers.activitybar;
    expect(container?.id).toBe('lifeboat');
    await expect(readFile(join(import.meta.dirname, '..', container!.icon), 'utf8')).resolves.toMatch(
      /^<svg /,
    );
    expect(manifest.main).toBe('./dist/extension.cjs');
  });
});
