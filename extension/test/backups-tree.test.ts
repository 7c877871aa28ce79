// The Backups view over a real folder store, and Verify from its items.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Activated, activate, dispose, tree, vscode } from './activate.ts';
import { type FolderStore, folderStore, writeBackups } from './store-fixtures.ts';

const { LocalStore } = await import('@lifeboat/stores');
type Node = { kind: string; [k: string]: unknown };

let store: FolderStore;
let many: FolderStore;
const newest = new Date('2026-11-21T12:00:00Z');

beforeAll(async () => {
  store = await folderStore();
  await writeBackups(store, {
    cluster: 'prod',
    node: 'cp-1',
    count: 3,
    newest,
    incomplete: [0],
    damage: [2],
  });
  await writeBackups(store, { cluster: 'prod', node: 'cp-2', count: 1, newest });
  await writeBackups(store, { cluster: 'staging', node: 'cp-1', count: 1, newest });
  many = await folderStore();
  await writeBackups(many, { cluster: 'big', node: 'cp-1', count: 10_000, newest, payloadBytes: 1 });
}, 120_000);
afterAll(async () => {
  await store.remove();
  await many.remove();
});

let activated: Activated;
beforeEach(() => {
  vscode.reset();
  vscode.settings['lifeboat.discoverClusters'] = false;
});
afterEach(() => dispose(activated));

const backups = () => tree<Node>('lifeboat.backups');

async function childrenOf(path: string[], view = backups()): Promise<Node[]> {
  let nodes = await view.getChildren();
  for (const label of path) {
    const next = nodes.find((n) => view.getTreeItem(n).label === label);
    if (!next)
      throw new Error(`no "${label}" among ${nodes.map((n) => view.getTreeItem(n).label).join(', ')}`);
    nodes = await view.getChildren(next);
  }
  return nodes;
}

describe('Backups view', () => {
  it('shows source → cluster → node → backup, newest first, with state icons', async () => {
    vscode.settings['lifeboat.sources'] = [store.dir];
    activated = activate();
    const view = backups();
    const [source] = await view.getChildren();
    expect(view.getTreeItem(source!)).toMatchObject({ label: store.dir, contextValue: 'source.settings' });
    const clusters = await childrenOf([store.dir]);
    expect(clusters.map((c) => [view.getTreeItem(c).label, view.getTreeItem(c).description])).toEqual([
      ['prod', '4 backups'],
      ['staging', '1 backup'],
    ]);
    const nodes = await childrenOf([store.dir, 'prod']);
    expect(nodes.map((n) => view.getTreeItem(n).label)).toEqual(['cp-1', 'cp-2']);
    const items = (await childrenOf([store.dir, 'prod', 'cp-1'])).map((n) => view.getTreeItem(n));
    expect(items.map((i) => [i.contextValue, i.iconPath?.id])).toEqual([
      ['backup.incomplete', 'warning'],
      ['backup.complete', 'archive'],
      ['backup.complete', 'archive'],
    ]);
    expect(items[0]!.description).toMatch(/ · 64 B · incomplete$/);
    expect(items[1]!.description).toMatch(/ · 64 B · rev 999$/);
    expect(items[1]!.tooltip).toContain('prod/cp-1 20261121T110000Z');
  });

  it('lists 10,000 backups a page at a time, reading metadata only for the page', async () => {
    vscode.settings['lifeboat.sources'] = [many.url];
    vscode.settings['lifeboat.pageSize'] = 50;
    activated = activate();
    const view = backups();
    const reads = vi.spyOn(LocalStore.prototype, 'get');
    try {
      const page = await childrenOf([many.dir, 'big', 'cp-1']);
      expect(page).toHaveLength(51);
      expect(reads).toHaveBeenCalledTimes(50);
      const more = page[50]!;
      expect(view.getTreeItem(more)).toMatchObject({ label: 'Show 50 more…', description: '9950 older' });
      expect(view.getTreeItem(page[0]!).description).toMatch(/rev 1000$/);
      await vscode.commands.executeCommand('lifeboat.showMore', more);
      const next = await childrenOf([many.dir, 'big', 'cp-1']);
      expect(next).toHaveLength(101);
      expect(reads).toHaveBeenCalledTimes(100);
      expect(view.getTreeItem(next[99]!).description).toMatch(/rev 901$/);
    } finally {
      reads.mockRestore();
    }
  });

  it('shows a settings entry it cannot use as an error item that opens the settings', async () => {
    vscode.settings['lifeboat.sources'] = ['relative/folder', store.url];
    activated = activate();
    const view = backups();
    const roots = await view.getChildren();
    const first = view.getTreeItem(roots[0]!);
    expect(first.label).toMatch(/"relative\/folder" is neither a store URL/);
    expect(first.iconPath?.id).toBe('error');
    expect(first.command?.command).toBe('workbench.action.openSettings');
    expect(view.getTreeItem(roots[1]!).label).toBe(store.dir);
  });

  it('says why a store cannot be listed, in the tree and in the log', async () => {
    vscode.settings['lifeboat.sources'] = [
      's3://no-such-bucket/x?endpoint=http://127.0.0.1:9&pathStyle=true',
    ];
    activated = activate();
    process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
    const [error] = await childrenOf(['s3://no-such-bucket/x']);
    const item = backups().getTreeItem(error!);
    expect(item.iconPath?.id).toBe('error');
    expect(item.label).toMatch(/^cannot list s3:\/\/no-such-bucket\/x: /);
    expect(vscode.registered.channels[0]!.lines.join('\n')).toContain('cannot list s3://no-such-bucket/x');
  }, 60_000);
});

describe('Verify', () => {
  it('checks a good backup without any key and marks it verified', async () => {
    vscode.settings['lifeboat.sources'] = [store.url];
    activated = activate();
    const [, good] = await childrenOf([store.dir, 'prod', 'cp-1']);
    await vscode.commands.executeCommand('lifeboat.verify', good);
    expect(vscode.registered.messages).toEqual([
      {
        severity: 'info',
        text: 'Lifeboat: backup prod/cp-1 20261121T110000Z verified — 3 checks passed (integrity and signatures).',
        actions: [],
      },
    ]);
    expect(vscode.registered.progress[0]!.title).toBe('Verifying prod/cp-1 20261121T110000Z');
    expect(vscode.registered.progress[0]!.reports.at(-1)?.message).toBe('64 B of 64 B');
    const [, again] = await childrenOf([store.dir, 'prod', 'cp-1']);
    expect(backups().getTreeItem(again!)).toMatchObject({
      contextValue: 'backup.verified',
      iconPath: { id: 'pass-filled' },
    });
  });

  it('fails a damaged payload loudly, offers the log, and marks the backup failed', async () => {
    vscode.settings['lifeboat.sources'] = [store.url];
    activated = activate();
    const [, , damaged] = await childrenOf([store.dir, 'prod', 'cp-1']);
    vscode.answers.messageAction.push('Show Log');
    await vscode.commands.executeCommand('lifeboat.verify', damaged);
    const [message] = vscode.registered.messages;
    expect(message?.severity).toBe('error');
    expect(message?.text).toMatch(
      /FAILED verification — payload checksum: payload is 65 bytes .* the metadata says 64 bytes/,
    );
    expect(vscode.registered.channels[0]!.shown).toBe(1);
    const [, , after] = await childrenOf([store.dir, 'prod', 'cp-1']);
    expect(backups().getTreeItem(after!)).toMatchObject({
      contextValue: 'backup.failed',
      iconPath: { id: 'error' },
    });
    expect(backups().getTreeItem(after!).tooltip).toMatch(/verification FAILED .*payload checksum/);
  });

  it('refuses an incomplete backup with the reason', async () => {
    vscode.settings['lifeboat.sources'] = [store.url];
    activated = activate();
    const [incomplete] = await childrenOf([store.dir, 'prod', 'cp-1']);
    await vscode.commands.executeCommand('lifeboat.verify', incomplete);
    expect(vscode.registered.errorMessages).toEqual([
      'Lifeboat: integrity: backup 20261121T120000Z of prod/cp-1 is incomplete (no metadata: the run failed or is still uploading): it cannot be used',
    ]);
  });

  it('says how to use it when run from the palette without a backup', async () => {
    activated = activate();
    await vscode.commands.executeCommand('lifeboat.verify');
    expect(vscode.registered.errorMessages).toEqual([
      'Lifeboat: usage: to verify a backup, right-click a backup in the Lifeboat Backups view',
    ]);
  });
});
