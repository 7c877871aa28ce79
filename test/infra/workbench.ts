// The steps an extension test takes in VS Code's workbench (code-server in
// Chromium), each a short function over a Playwright page: open the
// workbench, run a command from the palette, open a view container, find
// tree items, wait for a notification, read the panel. Selectors are VS
// Code's own DOM classes and ARIA roles (checked against code-server 4.139 /
// VS Code 1.139).
import type { Locator, Page } from 'playwright-core';

const defaultTimeout = 30_000;

/** Loads the workbench and waits until it has laid out and the extension host is up. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The quick-input widget (command palette, quick picks). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/**
 * Runs a command by its palette title ("Lifeboat: Show Log"): F1, type the
 * title, wait until the highlighted entry is that command, Enter.
 */
export async function runCommand(page: Page, title: string, timeoutMs = defaultTimeout): Promise<void> {
  // The workbench listens for keys on the window, wherever the focus is; a quick pick left open
  // from an earlier step would swallow F1, so close it first.
  if (await quickInput(page).isVisible()) await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = quickInput(page).locator('input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const focused = quickInput(page).locator('.monaco-list-row.focused');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const label = (await focused.getAttribute('aria-label', { timeout: 1000 }).catch(() => null)) ?? '';
    if (label === title || label.startsWith(`${title},`) || label.startsWith(`${title} `)) break;
    if (Date.now() > deadline) {
      const rows = await quickInput(page)
        .locator('.monaco-list-row')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      await page.keyboard.press('Escape');
      throw new Error(`command "${title}" is not in the palette; it offers: ${JSON.stringify(rows)}`);
    }
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** An activity-bar entry (view container) by its title, e.g. "Explorer" or an extension's "Lifeboat". */
export function activityBarItem(page: Page, title: string): Locator {
  return page
    .locator('.part.activitybar .action-item')
    .filter({ has: page.locator(`a.action-label[aria-label^="${title}"]`) });
}

/** Shows a view container in the side bar (clicks it only when it is not already showing). */
export async function openViewContainer(
  page: Page,
  title: string,
  timeoutMs = defaultTimeout,
): Promise<void> {
  const item = activityBarItem(page, title);
  await item.waitFor({ state: 'visible', timeout: timeoutMs }).catch(async () => {
    const titles = await page
      .locator('.part.activitybar .action-item a.action-label')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    throw new Error(`the activity bar has no "${title}"; it shows: ${JSON.stringify(titles)}`);
  });
  const active = (await item.getAttribute('class'))?.split(/\s+/).includes('checked');
  if (!active) await item.click();
  await sideBar(page).waitFor({ state: 'visible', timeout: timeoutMs });
}

export function sideBar(page: Page): Locator {
  return page.locator('.part.sidebar');
}

/**
 * A view in the side bar by its name ("Backups"): the visible pane whose
 * header says so. A view alone in its container has that header hidden and
 * its name folded into the side bar's title ("Lifeboat: Backups").
 */
export async function view(page: Page, name: string, timeoutMs = defaultTimeout): Promise<Locator> {
  const pane = sideBar(page)
    .locator('.pane')
    .filter({ visible: true })
    .filter({
      has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
    });
  await pane.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return pane.first();
}

/** Tree items (role treeitem) under root whose accessible name starts with label. */
export function treeItems(root: Page | Locator, label?: string | RegExp): Locator {
  const name = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}`) : label;
  return root.getByRole('treeitem', name ? { name } : {});
}

/** The labels of the tree items now rendered under root (virtualised: only the visible rows). */
export async function treeLabels(root: Page | Locator): Promise<string[]> {
  return treeItems(root)
    .locator('.label-name')
    .evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

/**
 * Waits until a notification containing text has been shown, and returns its
 * text. A toast alone is not proof either way: VS Code toasts at most three
 * new notifications per 800 ms (the rest go only to the notification center)
 * and hides an info toast after 10 s. So while no toast matches, the
 * notification center, which keeps every notification, is read every few
 * seconds too.
 */
export async function waitForNotification(
  page: Page,
  text: string | RegExp,
  timeoutMs = defaultTimeout,
): Promise<string> {
  const matches = (shown: string) => (typeof text === 'string' ? shown.includes(text) : text.test(shown));
  const deadline = Date.now() + timeoutMs;
  let centerReadAt = Date.now();
  for (;;) {
    const toasts = await visibleNotifications(page).catch(() => []);
    const toast = toasts.find(matches);
    if (toast !== undefined) return toast;
    const last = Date.now() > deadline;
    if (last || Date.now() - centerReadAt > centerEveryMs) {
      const kept = await notificationCenter(page);
      const found = kept.find(matches);
      if (found !== undefined) return found;
      centerReadAt = Date.now();
      // Say what the workbench showed instead: an error notification names the cause in the CI log.
      if (last) {
        throw new Error(
          `no notification matching ${String(text)} within ${timeoutMs} ms; shown: ${JSON.stringify(toasts)}; in the notification center: ${JSON.stringify(kept)}`,
        );
      }
    }
    await page.waitForTimeout(200);
  }
}

const centerEveryMs = 5000;

/**
 * The text of every notification in the notification center, newest first.
 * The center is opened to read it and closed again; while it is open, new
 * notifications do not toast, so it stays open only for the read.
 */
export async function notificationCenter(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible', timeout: defaultTimeout });
  const texts = await center
    .locator('.notification-list-item')
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  await runCommand(page, 'Notifications: Hide Notifications');
  await center.waitFor({ state: 'hidden', timeout: defaultTimeout });
  return texts;
}

/** Notification toasts, those containing text if given. */
export function notifications(page: Page, text?: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', text ? { hasText: text } : {});
}

/** The text of every notification toast now on screen. */
export async function visibleNotifications(page: Page): Promise<string[]> {
  return notifications(page)
    .filter({ visible: true })
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

/** The bottom panel (Output, Problems, Terminal…). */
export function panel(page: Page): Locator {
  return page.locator('.part.panel');
}

/**
 * Waits until the Output view shows the channel (and, if given, a rendered
 * line matching contains), then returns its rendered text: the lines on
 * screen, one per line.
 */
export async function outputChannel(
  page: Page,
  channel: string,
  contains?: string | RegExp,
  timeoutMs = defaultTimeout,
): Promise<string> {
  const output = panel(page).locator('.output-view, [id="workbench.panel.output"]').first();
  await output.waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = await shownChannel(output);
    const text = shown === channel ? await renderedLines(output) : '';
    const found =
      contains === undefined ||
      (typeof contains === 'string' ? text.includes(contains) : contains.test(text));
    if (shown === channel && found) return text;
    if (Date.now() > deadline) {
      throw new Error(
        shown === channel
          ? `the "${channel}" output has no line matching ${contains}:\n${text}`
          : `the Output view shows "${shown}", not "${channel}"`,
      );
    }
    await page.waitForTimeout(200);
  }
}

/** The channel the Output view's picker has selected. */
async function shownChannel(output: Locator): Promise<string> {
  const picker = output.page().locator('.part.panel select[aria-label="Switch Output"]').first();
  const shown = await picker
    .evaluate(
      (e) => {
        // Runs in the page; the test workspace compiles without the DOM library.
        const el = e as unknown as {
          selectedOptions?: ArrayLike<{ text: string }>;
          textContent: string | null;
        };
        return (el.selectedOptions ? el.selectedOptions[0]?.text : el.textContent) ?? '';
      },
      undefined,
      { timeout: 1000 },
    )
    .catch(() => '');
  return shown.trim();
}

/** A Monaco editor's rendered lines (one .view-line each; spaces come as no-break spaces). */
async function renderedLines(editor: Locator): Promise<string> {
  const lines = await editor
    .locator('.view-lines .view-line')
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ')));
  return lines.join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Right-clicks an element and picks an entry of the context menu that opens (matched by its start). */
export async function contextMenu(
  page: Page,
  target: Locator,
  entry: string,
  timeoutMs = defaultTimeout,
): Promise<void> {
  await target.click({ button: 'right' });
  // VS Code draws menus in a shadow root; Playwright's role locators pierce it.
  const item = page.getByRole('menuitem', { name: new RegExp(`^${escapeRegExp(entry)}`) }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs }).catch(async () => {
    const offered = await page
      .getByRole('menuitem')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent));
    await page.keyboard.press('Escape');
    throw new Error(`the context menu has no "${entry}"; it offers: ${JSON.stringify(offered)}`);
  });
  // A click that lands while the menu is still laying out (or while the tree under it redraws)
  // leaves the menu open and runs nothing: click again until it closes.
  for (let attempt = 1; ; attempt++) {
    await item.click();
    const closed = await item
      .waitFor({ state: 'hidden', timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (closed) return;
    if (attempt === 3) throw new Error(`the context menu entry "${entry}" did not respond to three clicks`);
  }
}

/**
 * Does act, then waits up to withinMs for shown to be visible; three times at
 * most. Whether shown ever appeared.
 */
async function untilShown(act: () => Promise<void>, shown: Locator, withinMs = 15_000): Promise<boolean> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    await act();
    const appeared = await shown
      .first()
      .waitFor({ state: 'visible', timeout: withinMs })
      .then(() => true)
      .catch(() => false);
    if (appeared) return true;
  }
  return false;
}

/**
 * Runs a context-menu entry and waits until started (a progress or result
 * notification, say) is visible. A menu can close without running its entry
 * when the tree redraws under it (a busy machine makes that likelier), so
 * the whole right-click is tried again, three times at most.
 */
export async function runFromContextMenu(
  page: Page,
  target: Locator,
  entry: string,
  started: Locator,
  options: { timeoutMs?: number; startedWithinMs?: number } = {},
): Promise<void> {
  const act = () => contextMenu(page, target, entry, options.timeoutMs);
  if (await untilShown(act, started, options.startedWithinMs)) return;
  const shown = await visibleNotifications(page).catch(() => []);
  throw new Error(`"${entry}" showed no sign of running after three tries; shown: ${JSON.stringify(shown)}`);
}

/**
 * Clicks target until shown is visible, three times at most: a click that
 * lands while a tree redraws under it only selects the row (or nothing), so
 * the command behind it never runs.
 */
export async function clickUntil(
  target: Locator,
  shown: Locator,
  options: { withinMs?: number } = {},
): Promise<void> {
  if (await untilShown(() => target.click(), shown, options.withinMs)) return;
  const label = (await target.textContent().catch(() => null)) ?? String(target);
  throw new Error(`clicking "${label.trim()}" showed nothing after three tries`);
}

/**
 * Tree items by their visible label (the .label-name text), not their
 * accessible name: VS Code reads an item's tooltip out as its name.
 */
export function treeItemsLabelled(root: Locator, label: string | RegExp): Locator {
  const text = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}`) : label;
  return root.getByRole('treeitem').filter({ has: root.page().locator('.label-name', { hasText: text }) });
}

/** Expands tree items one after another by their labels (a click on each, waiting for the next). */
export async function expandPath(
  root: Locator,
  labels: readonly (string | RegExp)[],
  timeoutMs = defaultTimeout,
): Promise<Locator> {
  let item: Locator | undefined;
  for (const label of labels) {
    item = treeItemsLabelled(root, label).first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    if ((await item.getAttribute('aria-expanded')) === 'false') await item.click();
  }
  if (!item) throw new Error('expandPath needs at least one label');
  return item;
}

/** The tab of an open editor whose title matches. */
export function editorTab(page: Page, title: string | RegExp): Locator {
  return page.locator('.tabs-container .tab').filter({ hasText: title });
}
