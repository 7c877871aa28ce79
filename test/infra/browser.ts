// A real browser for the VS Code extension's end-to-end tests: Debian's
// Chromium driven by playwright-core (no browser download), headless, with a
// throwaway profile and nothing that phones home. Its pid goes into the run's
// registry, so a crashed test worker leaves no browser behind.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureBinary } from './binaries.ts';
import { recordPid } from './process.ts';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Browser {
  context: BrowserContext;
  /** The window's first tab. */
  page: Page;
  userDataDir: string;
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** Default 1440×900: wide enough that the workbench shows activity bar, side bar and panel. */
  viewport?: { width: number; height: number };
  /** Default true; false shows the window (needs a display). */
  headless?: boolean;
}

/** The browser process started with this profile (its renderers carry no --user-data-dir). */
function browserPid(userDataDir: string): { pid: number; argv0: string } | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(`--user-data-dir=${userDataDir}`) && !argv.some((a) => a.startsWith('--type='))) {
        return { pid: Number(entry), argv0: argv[0]! };
      }
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export async function launchBrowser(o: BrowserOptions = {}): Promise<Browser> {
  const { chromium: executablePath } = await ensureBinary('chromium');
  const userDataDir = await mkdtemp(join(tmpdir(), 'lifeboat-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args: chromiumArgs,
      headless: o.headless ?? true,
      viewport: o.viewport ?? { width: 1440, height: 900 },
      timeout: 60_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`could not launch ${executablePath}: ${(err as Error).message}`);
  }
  const proc = browserPid(userDataDir);
  if (proc) recordPid(proc.pid, proc.argv0);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    userDataDir,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

/** Saves a full-window PNG as <dir>/<name>.png and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}
