// The restic: backend. Each object is one snapshot of one file, made with
// `restic backup --stdin` (restic encrypts, deduplicates and stores it);
// listing reads snapshot metadata only, never payloads. Works with restic
// 0.14 (Debian) and newer; every flag used exists in both.
import { createHash } from 'node:crypto';
import { addAbortSignal, Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { chunksOf, stopBody } from './body.ts';
import { compareKeys, isValidKey, validateKey, validatePrefix } from './key.ts';
import { type Backup, parseSummary, startBackup } from './restic-backup.ts';
import { Restic, type ResticOptions, text } from './restic-command.ts';
import {
  emptyPlaceholder,
  emptyTag,
  newestByKey,
  parseFindSizes,
  parseSnapshots,
  type Snapshot,
  snapshotLabels,
  storeTag,
} from './restic-snapshots.ts';
import type {
  BackupStore,
  GetOptions,
  ObjectInfo,
  ObjectStat,
  PutBody,
  PutOptions,
  PutResult,
} from './store.ts';

export type { ResticOptions } from './restic-command.ts';

export class ResticStore implements BackupStore {
  readonly location: string;
  readonly #restic: Restic;
  readonly #prune: boolean;

  constructor(options: ResticOptions) {
    this.#restic = new Restic(options);
    this.#prune = options.prune ?? true;
    this.location = `restic:${this.#restic.repository}`;
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const { signal, size: expected } = options;
    try {
      validateKey(key);
      if (signal?.aborted) throw this.#aborted(signal, 'storing', key);
    } catch (err) {
      stopBody(body);
      throw err;
    }
    const hash = createHash('sha256');
    let size = 0;
    // Started at the first byte: restic refuses an empty stdin, so an empty
    // body becomes a placeholder snapshot tagged "empty" instead.
    let backup: (Backup & { previous: Promise<Snapshot[] | undefined> }) | undefined;
    let failure: { error: unknown } | undefined;
    try {
      let cutShort = false;
      for await (const chunk of chunksOf(body, signal)) {
        if (!chunk.byteLength) continue;
        hash.update(chunk);
        size += chunk.byteLength;
        backup ??= this.#startBackup(key, false);
        if (!(await backup.write(chunk, signal))) {
          // restic exited early; its exit code says why.
          cutShort = true;
          break;
        }
      }
      if (!cutShort) {
        if (expected !== undefined && size !== expected) {
          throw new LifeboatError(
            'integrity',
            `the body for ${key} was ${size} bytes where ${expected} were expected`,
          );
        }
        backup ??= this.#startBackup(key, true);
        if (size === 0) backup.stdin.write(emptyPlaceholder);
        // Only a clean end of stdin makes restic save the snapshot; an abort
        // from here on interrupts restic while it is still saving.
        signal?.addEventListener('abort', backup.interrupt, { once: true });
        backup.stdin.end();
      }
    } catch (err) {
      failure = { error: err };
      backup?.interrupt();
    }
    if (!backup) throw failure!.error;
    const result = await backup.child;
    if (signal) signal.removeEventListener('abort', backup.interrupt);
    const saved = result.failed ? undefined : parseSummary(text(result.stdout));
    if (signal?.aborted || failure) {
      // restic saved before it saw the interrupt: take the snapshot back.
      if (saved) await this.#forget([saved.id], false).catch(() => {});
      if (signal?.aborted) throw this.#aborted(signal, 'storing', key);
      throw failure!.error;
    }
    if (!saved) throw this.#restic.error('backup', result);
    if (size > 0 && saved.size !== undefined && saved.size !== size) {
      throw new LifeboatError(
        'integrity',
        `restic stored ${saved.size} bytes of ${key} where ${size} were sent`,
      );
    }
    await this.#forgetOlder(await backup.previous, saved.id);
    return { size, sha256: hash.digest('hex') };
  }

  // Starts `restic backup --stdin` for key and, alongside, the lookup of the
  // key's snapshots that an overwrite will forget.
  #startBackup(key: string, empty: boolean): Backup & { previous: Promise<Snapshot[] | undefined> } {
    const labels = [...snapshotLabels(key), ...(empty ? [`--tag=${emptyTag}`] : [])];
    const previous = this.#snapshots(key).catch(() => undefined);
    return { ...startBackup(this.#restic, key, labels), previous };
  }

  // After an overwrite: forgets the key's earlier snapshots. A failure (the
  // repository locked by a backup) leaves them to the next delete or
  // overwrite; readers already see only the newest.
  async #forgetOlder(previous: Snapshot[] | undefined, newId: string | undefined): Promise<void> {
    if (!previous || !newId) return;
    const older = previous.filter((s) => !s.id.startsWith(newId)).map((s) => s.id);
    await this.#forget(older, this.#prune).catch(() => {});
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    validateKey(key);
    const { signal } = options;
    if (signal?.aborted) throw this.#aborted(signal, 'reading', key);
    const snapshot = await this.#newest(key, signal);
    if (!snapshot) throw this.#notFound(key);
    if (snapshot.empty) return Readable.from([], { objectMode: false });
    const restic = this.#restic;
    // --no-lock: reading must work while another node's prune holds the exclusive lock;
    // restic verifies every blob it reads, so a pack pruned mid-read fails loudly.
    const child = restic.start(['--no-lock', 'dump', '--', snapshot.id, `/${key}`], {
      streamStdout: true,
      ...(signal && { signal }),
    });
    // The stream ends only once restic has exited 0: a dump that fails half-way
    // must error, not look like a shorter object.
    async function* output(): AsyncGenerator<Uint8Array> {
      let finished = false;
      try {
        for await (const chunk of child.stdout!) yield chunk as Uint8Array;
        const result = await child;
        finished = true;
        if (result.failed) throw restic.error('dump', result);
      } finally {
        if (!finished) child.kill();
      }
    }
    const stream = Readable.from(output(), { objectMode: false });
    return signal ? addAbortSignal(signal, stream) : stream;
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    validateKey(key);
    const snapshot = await this.#newest(key);
    if (!snapshot) return undefined;
    const size = snapshot.size ?? (await this.#sizes([snapshot])).get(snapshot.id) ?? 0;
    return { size, modified: snapshot.time };
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    const newest = [...newestByKey(await this.#snapshots()).values()]
      .filter((s) => s.key.startsWith(prefix) && isValidKey(s.key))
      .sort((a, b) => compareKeys(a.key, b.key));
    // Snapshots made before restic 0.17 carry no summary: one `find` sizes them all.
    const unsized = newest.filter((s) => s.size === undefined);
    const sizes = unsized.length ? await this.#sizes(unsized) : new Map<string, number>();
    for (const s of newest) {
      yield { key: s.key, size: s.size ?? sizes.get(s.id) ?? 0, modified: s.time };
    }
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const ids = (await this.#snapshots(key)).map((s) => s.id);
    await this.#forget(ids, this.#prune);
  }

  // This store's snapshots, of one key when given.
  async #snapshots(key?: string, signal?: AbortSignal): Promise<Snapshot[]> {
    // Snapshot files never change: reading them needs no lock, so listing works during a prune.
    const args = ['snapshots', '--no-lock', '--json', `--tag=${storeTag}`];
    if (key !== undefined) args.push(`--path=/${key}`);
    const snapshots = parseSnapshots(await this.#restic.run(args, signal));
    return key === undefined ? snapshots : snapshots.filter((s) => s.key === key);
  }

  async #newest(key: string, signal?: AbortSignal): Promise<Snapshot | undefined> {
    return newestByKey(await this.#snapshots(key, signal)).get(key);
  }

  async #sizes(snapshots: Snapshot[]): Promise<Map<string, number>> {
    // Past a thousand ids the command line grows long: search all of ours instead.
    const which =
      snapshots.length > 1000 ? [`--tag=${storeTag}`] : snapshots.map((s) => `--snapshot=${s.id}`);
    const args = ['find', '--no-lock', '--json', ...which, '--', '*'];
    return parseFindSizes(await this.#restic.run(args), snapshots);
  }

  async #forget(ids: (string | undefined)[], prune: boolean): Promise<void> {
    const known = ids.filter((id): id is string => !!id);
    if (!known.length) return;
    await this.#restic.run(['forget', ...(prune ? ['--prune'] : []), '--', ...known]);
  }

  #notFound(key: string): LifeboatError {
    return new LifeboatError('not-found', `no object ${key} in ${this.location}`);
  }

  #aborted(signal: AbortSignal, action: string, key: string): LifeboatError {
    return new LifeboatError('aborted', `${action} ${key} in ${this.location} was aborted`, {
      cause: signal.reason,
    });
  }
}
