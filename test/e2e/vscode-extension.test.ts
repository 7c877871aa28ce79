// Issue 7's proof in a real VS Code: `lifeboat backup` writes a backup of a
// real etcd (kubeadm TLS) to MinIO; code-server with the packaged .vsix lists
// it in the Backups view (source → cluster → node → backup), Verify passes,
// "Plan Restore…" opens the runbook and the diff editor shows the etcd.yaml
// edit, and Open Backup shows the snapshot's Kubernetes objects. Screenshots
// of every step go to test/.artifacts/vscode/ (the best ones are in docs/).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, launchBrowser, screenshot } from '../infra/browser.ts';
import { type CodeServer, startCodeServer } from '../infra/code-server.ts';
import { type EtcdCluster, fillEtcd, type Minio, startEtcd, startMinio } from '../infra/index.ts';
import { packageExtension } from '../infra/vsix.ts';
import {
  clickUntil,
  contextMenu,
  editorTab,
  expandPath,
  notifications,
  openViewContainer,
  openWorkbench,
  outputChannel,
  quickInput,
  runCommand,
  runFromContextMenu,
  treeItems,
  treeItemsLabelled,
  view,
  waitForNotification,
} from '../infra/workbench.ts';
import { type Keys, keyFlags, lifeboatOk, MiB, makeKeys } from './backup-helpers.ts';

const artifacts = join(import.meta.dirname, '../.artifacts/vscode');
const timeout = 600_000;

let dir: string;
let etcd: EtcdCluster;
let minio: Minio;
let keys: Keys;
let browser: Browser;
let cs: CodeServer | undefined;
let storeUrl: string;
let backupId: string;
let tmp: string;

/** The extension host's temp folders with this prefix (decrypted backups live there). */
const tempFolders = async (prefix: string) => (await readdir(tmp)).filter((n) => n.startsWith(prefix));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-vscode-e2e-'));
  await mkdir(artifacts, { recursive: true });
  const startingEtcd = (async () => {
    etcd = await startEtcd({ version: '3.6' });
    await fillEtcd(etcd, { targetBytes: 2 * MiB });
  })();
  let vsix: string;
  [keys, minio, vsix] = await Promise.all([
    makeKeys(join(dir, 'keys')),
    startMinio(),
    packageExtension(),
    startingEtcd,
  ]);
  storeUrl = `s3://${minio.bucket}/vscode?endpoint=${minio.endpoint}&pathStyle=true`;
  const backup = await lifeboatOk(
    [
      'backup',
      '--store',
      storeUrl,
      '--cluster',
      'prod',
      '--node',
      'cp-1',
      '--kubernetes-dir',
      etcd.members[0]!.tree.dir,
      ...keyFlags(keys),
      '-o',
      'json',
    ],
    { ...minio.env },
  );
  backupId = JSON.parse(backup.out).id;
  tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const workspace = join(dir, 'workspace');
  await mkdir(workspace);
  await writeFile(join(workspace, 'README.md'), '# on-call workspace\n');
  cs = await startCodeServer({
    workspace,
    vsix: [vsix],
    // The extension host's temp folder, so the test can see what decrypted files exist when.
    env: { ...minio.env, TMPDIR: tmp },
    userSettings: {
      'lifeboat.sources': [storeUrl],
      'lifeboat.discoverClusters': false,
      'lifeboat.privateKeys': [keys.recipients[0]!.key],
      'lifeboat.signerKeys': [keys.signer.pub],
      'lifeboat.restore.nodeKeyPath': '/root/lifeboat/auditor.key.asc',
    },
  });
  browser = await launchBrowser({ viewport: { width: 1600, height: 1000 } });
}, timeout);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
  await Promise.allSettled([etcd?.stop(), minio?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('lists the backup from MinIO, verifies it, plans a restore with the etcd.yaml diff, and opens it', {
  timeout,
}, async ({ onTestFailed }) => {
  const { page } = browser;
  onTestFailed(async () => {
    await screenshot(page, artifacts, 'extension-failure').catch(() => {});
    if (cs) await copyFile(cs.logFile, join(artifacts, 'extension-code-server.log')).catch(() => {});
    // The extension's own log says which step it was in and why it stopped.
    await runCommand(page, 'Lifeboat: Show Log')
      .then(() => outputChannel(page, 'Lifeboat'))
      .then((text) => writeFile(join(artifacts, 'extension-lifeboat.log'), text))
      .catch(() => {});
  });
  await openWorkbench(page, cs!.url);
  await openViewContainer(page, 'Lifeboat');
  const backups = await view(page, 'Backups');

  // source → cluster → node → backup, labelled by local time, described by age · size · revision.
  const backup = await expandPath(backups, [
    `s3://${minio.bucket}/vscode`,
    'prod',
    'cp-1',
    /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
  ]);
  await expect.poll(() => backup.textContent()).toMatch(/(just now|\d+m ago) · [\d.]+ KiB · rev \d+/);
  await screenshot(page, artifacts, 'extension-1-backups');

  // Verify without a private key: metadata, signatures (the signer key is configured), payload sha256.
  await runFromContextMenu(page, backup, 'Verify Backup', notifications(page, /Verifying|verified/));
  const verified = await waitForNotification(page, /verified/, 120_000);
  expect(verified).toContain(`backup prod/cp-1 ${backupId} verified`);
  await screenshot(page, artifacts, 'extension-2-verified');

  // With the private key (from lifeboat.privateKeys): decrypted, checked file by file, snapshot read.
  await runFromContextMenu(
    page,
    backup,
    'Verify Backup with Private Key',
    notifications(page, /Decrypting and verifying|decrypted, snapshot read/),
  );
  await waitForNotification(page, /verified — \d+ checks passed \(decrypted, snapshot read\)/, 120_000);

  // Plan Restore: fetches (decrypts) to read the backed-up etcd.yaml; opens the runbook, the script, the diff.
  const diffTab = editorTab(page, /etcd\.yaml on /);
  await runFromContextMenu(
    page,
    backup,
    'Plan Restore',
    notifications(page, /Planning the restore/).or(diffTab),
  );
  await diffTab.waitFor({ state: 'visible', timeout: 120_000 });
  await expect(editorTab(page, 'RUNBOOK.md').count()).resolves.toBe(1);
  const diff = page.locator('.monaco-diff-editor').first();
  await diff.waitFor({ state: 'visible' });
  // The edit points etcd at the restored data dir: inserted lines carry the new path.
  await expect.poll(() => diff.locator('.line-insert').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(await diff.textContent()).toMatch(/data-dir/);
  await screenshot(page, artifacts, 'extension-3-restore-diff');

  // The plan's temporary fetch (to read etcd.yaml) is gone once the plan is made.
  expect(await tempFolders('lifeboat-plan-')).toEqual([]);
  const plan = await view(page, 'Restore Plan');
  await expect.poll(() => treeItemsLabelled(plan, 'Shell helpers').count()).toBe(1);
  await expect.poll(() => treeItemsLabelled(plan, 'cp-1').count()).toBe(1);
  await screenshot(page, artifacts, 'extension-4-restore-plan');

  // Open Backup: decrypted into a private temp folder; the snapshot's objects as namespace → kind → name.
  const opened = await view(page, 'Opened Backups');
  await runFromContextMenu(
    page,
    backup,
    'Open Backup',
    notifications(page, /Opening/).or(treeItemsLabelled(opened, 'prod/cp-1')),
  );
  await expandPath(opened, ['Kubernetes objects'], 120_000);
  await expect.poll(() => treeItems(opened).count(), { timeout: 60_000 }).toBeGreaterThan(3);
  await screenshot(page, artifacts, 'extension-5-opened');
  const [openedDir] = await tempFolders('lifeboat-open-');
  expect(((await stat(join(tmp, openedDir!))).mode & 0o777).toString(8)).toBe('700');

  // An object's YAML, read-only, as kubectl would apply it.
  // team-00's ConfigMaps are the first config-… rows: the namespaces after it are collapsed.
  await expandPath(opened, ['team-00', /^ConfigMap/]);
  const object = treeItemsLabelled(opened, /^config-\d+$/).first();
  const name = (await object.locator('.label-name').textContent())!.trim();
  const yamlTab = editorTab(page, `${name}.yaml`);
  await clickUntil(object, yamlTab, { withinMs: 30_000 });
  const editor = page.locator('.editor-instance .monaco-editor').last();
  await expect
    .poll(() => editor.textContent(), { timeout: 30_000 })
    .toMatch(/apiVersion:\s?v1.*kind:\s?ConfigMap/s);
  await screenshot(page, artifacts, 'extension-6-object-yaml');

  // Save as YAML, for a single-object restore: the save dialog is VS Code's own (a path box in code-server).
  const saved = join(dir, 'workspace', 'restored-config.yaml');
  const pathBox = quickInput(page).locator('input');
  await runFromContextMenu(page, object, 'Save Object as YAML', pathBox);
  // The dialog fills in its own suggestion as it opens: replace it only once it is there.
  await expect.poll(() => pathBox.inputValue()).toMatch(/\.yaml$/);
  await pathBox.fill(saved);
  await expect.poll(() => pathBox.inputValue()).toBe(saved);
  await page.keyboard.press('Enter');
  const savedNote = await waitForNotification(page, /saved ConfigMap/, 30_000);
  expect(savedNote).toContain(saved);
  const yaml = await readFile(saved, 'utf8');
  expect(yaml).toMatch(/^apiVersion: v1\nkind: ConfigMap\n/);
  expect(((await stat(saved)).mode & 0o777).toString(8)).toBe('600');

  // Close Backup removes the decrypted files.
  await contextMenu(page, await expandPath(opened, ['prod/cp-1']), 'Close Backup');
  await expect.poll(() => tempFolders('lifeboat-open-'), { timeout: 30_000 }).toEqual([]);
});
