// The workbench helpers against a real VS Code (code-server in Chromium), on
// a fixture extension that has one of everything: an activity-bar container
// with two views, tree items, a command that shows a notification.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshot } from './browser.ts';
import { type CodeServer, startCodeServer } from './code-server.ts';
import { packageFolder } from './vsix.ts';
import {
  activityBarItem,
  clickUntil,
  notificationCenter,
  notifications,
  openViewContainer,
  openWorkbench,
  runCommand,
  runFromContextMenu,
  treeItems,
  treeLabels,
  view,
  visibleNotifications,
  waitForNotification,
} from './workbench.ts';

const artifacts = join(import.meta.dirname, '../.artifacts/workbench');
let dir: string;
let cs: CodeServer;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-workbench-'));
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  const vsix = await packageFolder(
    join(import.meta.dirname, 'fixtures/workbench-extension'),
    join(dir, 'fixture.vsix'),
  );
  cs = await startCodeServer({ workspace, vsix: [vsix] });
  browser = await launchBrowser();
  await openWorkbench(browser.page, cs.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('opens a view container and finds its views and tree items', async () => {
  const { page } = browser;
  await openViewContainer(page, 'Fixture');
  expect(await activityBarItem(page, 'Fixture').getAttribute('class')).toContain('checked');
  const items = await view(page, 'Items');
  const notes = await view(page, 'Notes');
  await treeItems(items, 'gamma').waitFor({ state: 'visible' });
  expect(await treeLabels(items)).toEqual(['alpha', 'beta', 'gamma']);
  expect(await treeLabels(notes)).toEqual(['a note']);
  expect(await treeItems(page, /^(alpha|beta)$/).count()).toBe(2);
  // Opening it again keeps it open (a second click on the active entry would close the side bar).
  await openViewContainer(page, 'Fixture');
  await view(page, 'Items');
  await screenshot(page, artifacts, 'fixture-views');
});

it('runs a command from the palette and sees its notification', async () => {
  const { page } = browser;
  await runCommand(page, 'Fixture: Notify');
  expect(await waitForNotification(page, 'Fixture says hello')).toContain('Fixture says hello');
  await screenshot(page, artifacts, 'fixture-notification');
});

it('finds a notification that VS Code kept from the toasts, in the notification center', async () => {
  const { page } = browser;
  await runCommand(page, 'Fixture: Notify Five at Once');
  await notifications(page, 'Fixture burst 1').waitFor({ state: 'visible' });
  // At most three new toasts per 800 ms: the fifth never shows as one.
  const toasts = (await visibleNotifications(page)).filter((t) => t.includes('Fixture burst'));
  expect(toasts.length).toBeLessThanOrEqual(3);
  expect(toasts.join()).not.toContain('Fixture burst 5');
  expect(await waitForNotification(page, 'Fixture burst 5', 10_000)).toContain('Fixture burst 5');
  expect(await notificationCenter(page)).toEqual(
    expect.arrayContaining([
      expect.stringContaining('Fixture burst 4'),
      expect.stringContaining('Fixture burst 1'),
    ]),
  );
});

it('names what the palette offers when a command is missing', async () => {
  // The palette matches fuzzily, so the near misses are listed.
  await expect(runCommand(browser.page, 'Fixture: No Such Command', 3000)).rejects.toThrow(
    /"Fixture: No Such Command" is not in the palette; it offers: .*"Fixture: Notify"/,
  );
});

it('runs a context-menu entry on a tree item and waits until it shows', async () => {
  const { page } = browser;
  await openViewContainer(page, 'Fixture');
  const beta = treeItems(await view(page, 'Items'), 'beta');
  await runFromContextMenu(page, beta, 'Greet', notifications(page, 'Fixture greets beta'));
  expect(await notifications(page, 'Fixture greets beta').count()).toBeGreaterThan(0);
});

it('clicks a tree item until what its command shows is there, and says so when nothing comes', async () => {
  const { page } = browser;
  await openViewContainer(page, 'Fixture');
  const note = treeItems(await view(page, 'Notes'), 'a note');
  await clickUntil(note, notifications(page, 'Fixture opened a note'));
  const alpha = treeItems(await view(page, 'Items'), 'alpha');
  await expect(clickUntil(alpha, notifications(page, 'never shown'), { withinMs: 500 })).rejects.toThrow(
    'clicking "alpha" showed nothing after three tries',
  );
});

it('says what was on screen when an entry shows no sign of running, or a notification never comes', async () => {
  const { page } = browser;
  const gamma = treeItems(await view(page, 'Items'), 'gamma');
  // The entry runs (it greets gamma), but what the test waits for never appears: three tries.
  await expect(
    runFromContextMenu(page, gamma, 'Greet', notifications(page, 'never shown'), { startedWithinMs: 1000 }),
  ).rejects.toThrow(/"Greet" showed no sign of running after three tries; shown: .*Fixture greets gamma/);
  await expect(waitForNotification(page, 'never shown', 1000)).rejects.toThrow(
    /no notification matching never shown within 1000 ms; shown: .*Fixture greets gamma/,
  );
});
