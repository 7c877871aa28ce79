// The VS Code extension in a real VS Code: packaged as a .vsix, installed into
// code-server, driven through Debian's Chromium. The Lifeboat container shows
// the Backups view, and "Lifeboat: Show Log" opens the Lifeboat output channel
// with the activation line. A control run without the .vsix proves the checks
// can fail. Screenshots (and, on failure, code-server's log) go to
// test/.artifacts/vscode/.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshot } from '../infra/browser.ts';
import { type CodeServer, startCodeServer } from '../infra/code-server.ts';
import { packageExtension } from '../infra/vsix.ts';
import {
  activityBarItem,
  openViewContainer,
  openWorkbench,
  outputChannel,
  runCommand,
  view,
} from '../infra/workbench.ts';

const artifacts = join(import.meta.dirname, '../.artifacts/vscode');
const timeout = 300_000;

let vsix: string;
let workspace: string;
let browser: Browser;
const servers: CodeServer[] = [];

/** Starts code-server, and on a failed test keeps its log and a screenshot next to the others. */
async function codeServer(
  name: string,
  options: { vsix?: string[] },
  onTestFailed: (fn: () => Promise<void>) => void,
): Promise<CodeServer> {
  const cs = await startCodeServer({ workspace, ...options });
  servers.push(cs);
  onTestFailed(async () => {
    await screenshot(browser.page, artifacts, `${name}-failure`).catch(() => {});
    await copyFile(cs.logFile, join(artifacts, `${name}-code-server.log`)).catch(() => {});
  });
  return cs;
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  vsix = await packageExtension();
  workspace = await mkdtemp(join(tmpdir(), 'lifeboat-workspace-'));
  await writeFile(join(workspace, 'README.md'), '# a workspace for the extension tests\n');
  browser = await launchBrowser();
}, timeout);

afterAll(async () => {
  await browser?.close();
  for (const cs of servers) await cs.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe('the Lifeboat extension in VS Code (code-server + Chromium)', () => {
  it('shows the Backups view and opens the Lifeboat log', { timeout }, async ({ onTestFailed }) => {
    const cs = await codeServer('installed', { vsix: [vsix] }, onTestFailed);
    const { page } = browser;
    await openWorkbench(page, cs.url);
    await screenshot(page, artifacts, '1-workbench');

    await openViewContainer(page, 'Lifeboat');
    const backups = await view(page, 'Backups');
    await backups.getByText('No backup source yet.').waitFor({ state: 'visible' });
    await screenshot(page, artifacts, '2-backups-view');

    await runCommand(page, 'Lifeboat: Show Log');
    const log = await outputChannel(page, 'Lifeboat', 'Lifeboat is active');
    expect(log).toMatch(/\[info\] Lifeboat is active/);
    await screenshot(page, artifacts, '3-lifeboat-log');
  });

  it('without the .vsix there is no Lifeboat container or command', { timeout }, async ({ onTestFailed }) => {
    const cs = await codeServer('not-installed', {}, onTestFailed);
    const { page } = browser;
    await openWorkbench(page, cs.url);
    // Built-in containers are there, so the activity bar is complete.
    await activityBarItem(page, 'Explorer').waitFor({ state: 'visible' });
    await expect(runCommand(page, 'Lifeboat: Show Log', 5000)).rejects.toThrow(/not in the palette/);
    expect(await activityBarItem(page, 'Lifeboat').count()).toBe(0);
    await screenshot(page, artifacts, '4-without-extension');
  });
});
