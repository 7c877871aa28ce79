// Backups opened for reading: each decrypted and extracted (by the same
// fetch the CLI runs, checks included) into its own private temp folder
// (0700), removed when the backup is closed or VS Code shuts down.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FetchOptions,
  type FetchResult,
  fetchBackup,
  listSnapshot,
  type SnapshotEntry,
} from '@lifeboat/agent/library';
import { snapshotPath } from '@lifeboat/bundle';
import * as vscode from 'vscode';

export interface OpenedBackup {
  /** Unique per opening, used in document paths. */
  handle: string;
  label: string;
  sourceUrl: string;
  cluster: string;
  node: string;
  id: string;
  /** The private temp folder; the extracted bundle is in bundleDir inside it. */
  dir: string;
  bundleDir: string;
  snapshotFile: string;
  fetched: FetchResult;
  /** The snapshot's keys, read on first use. */
  objects?: Promise<SnapshotEntry[]>;
}

let openings = 0;

export class OpenedBackups implements vscode.Disposable {
  readonly #opened = new Map<string, OpenedBackup>();
  readonly #changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.#changed.event;

  list(): OpenedBackup[] {
    return [...this.#opened.values()];
  }

  async open(
    what: { sourceUrl: string; label: string },
    options: Omit<FetchOptions, 'out'>,
  ): Promise<OpenedBackup> {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-open-'));
    try {
      const bundleDir = join(dir, 'bundle');
      const fetched = await fetchBackup({ ...options, out: bundleDir });
      const opened: OpenedBackup = {
        handle: `${++openings}`,
        label: what.label,
        sourceUrl: what.sourceUrl,
        cluster: fetched.cluster,
        node: fetched.node,
        id: fetched.id,
        dir,
        bundleDir,
        snapshotFile: join(bundleDir, snapshotPath),
        fetched,
      };
      this.#opened.set(opened.handle, opened);
      this.#changed.fire();
      return opened;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  objects(opened: OpenedBackup): Promise<SnapshotEntry[]> {
    if (!opened.objects) {
      opened.objects = listSnapshot(opened.snapshotFile);
      opened.objects.catch(() => {
        opened.objects = undefined; // a failed read is tried again next time
      });
    }
    return opened.objects;
  }

  async close(handle: string): Promise<void> {
    const opened = this.#opened.get(handle);
    if (!opened) return;
    this.#opened.delete(handle);
    this.#changed.fire();
    await rm(opened.dir, { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#opened.keys()].map((h) => this.close(h)));
  }

  dispose(): void {
    // VS Code does not wait for an async disposal at shutdown: the decrypted files go now.
    for (const opened of this.#opened.values()) rmSync(opened.dir, { recursive: true, force: true });
    this.#opened.clear();
    this.#changed.dispose();
  }
}
