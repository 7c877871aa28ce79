// code-server serves on loopback with the extension installed from its .vsix,
// writes the settings it was given, and stop() leaves no process or folder.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCodeServer } from './code-server.ts';
import { descendants } from './process-tree.ts';
import { packageExtension } from './vsix.ts';

let workspace: string;
let vsix: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'lifeboat-workspace-'));
  vsix = await packageExtension();
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

it('serves the workbench with the .vsix installed, and stops without leftovers', {
  timeout: 180_000,
}, async () => {
  const cs = await startCodeServer({ workspace, vsix: [vsix], userSettings: { 'editor.fontSize': 17 } });
  const pid = cs.server.child.pid!;
  try {
    expect(cs.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${cs.origin}/healthz`);
    expect(await health.json()).toMatchObject({ status: expect.stringMatching(/alive|expired/) });
    const page = await fetch(cs.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('workbench');

    expect(await readdir(cs.extensionsDir)).toContain('lifeboat.lifeboat-vscode-0.1.0');
    const settings = JSON.parse(await readFile(join(cs.userDataDir, 'User', 'settings.json'), 'utf8'));
    expect(settings).toMatchObject({ 'editor.fontSize': 17, 'workbench.startupEditor': 'none' });
    // The wrapper forks the real server, which is what answered.
    expect(descendants(pid).length).toBeGreaterThan(0);
  } finally {
    const tree = [pid, ...descendants(pid)];
    await cs.stop();
    expect(tree.filter((p) => existsSync(`/proc/${p}`))).toEqual([]);
    expect(existsSync(cs.userDataDir)).toBe(false);
  }
});
