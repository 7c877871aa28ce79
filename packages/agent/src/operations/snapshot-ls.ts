// `lifeboat snapshot ls`: what a snapshot file holds at its latest revision,
// one summary per live key, read without etcd. The CLI and the extension's
// object browser share these functions; `readSnapshot` is also what
// `snapshot get` and `snapshot export` read files through.
import { resolve } from 'node:path';
import { errorLine, isLifeboatError, LifeboatError } from '@lifeboat/core';
import { BoltDb, checkTrailer, type KeyValue, liveKeys, type ObjectSummary, summarize } from '@lifeboat/etcd';
import { alignedLine } from '../output.ts';
import { type Cell, RowArena } from './row-arena.ts';

export interface SnapshotReadOptions {
  /** Skip the sha256 trailer check (by default checked when the file has one). */
  skipHashCheck?: boolean;
  signal?: AbortSignal;
  /** Told about damage bbolt would silently recover from (e.g. one bad meta page). */
  onWarning?: (message: string) => void;
  /**
   * Less memory for a slower read (`snapshot ls` as a table, which must also hold its rows): a
   * 1 MiB page cache instead of 8, enough for a walk, and the sha256 trailer hashed on this
   * thread instead of a worker, whose heap and malloc arena outlive it. 1 GiB db: ~8 MiB less
   * peak RSS; hashing no longer runs on another core.
   */
  smallMemory?: boolean;
}

/**
 * Opens a snapshot file and yields what `read` yields from it, while the
 * sha256 trailer is checked alongside. A trailer mismatch aborts `read`
 * (through the signal it gets) and is what this throws; the end of `read`
 * waits for the check, so a damaged file never ends as a clean success.
 * Stopping early (break, return) closes the file.
 */
export async function* readSnapshot<T>(
  file: string,
  options: SnapshotReadOptions,
  read: (db: BoltDb, signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const db = await BoltDb.open(resolve(file), options.smallMemory ? { cacheBlocks: 4 } : {});
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  try {
    if (db.warning) options.onWarning?.(db.warning);
    const mode = options.skipHashCheck ? 'ignore' : 'verify';
    const trailer = checkTrailer(db, mode, signal, options.smallMemory ? { inWorker: false } : {}).catch(
      (err: unknown) => {
        stop.abort(err);
        throw err;
      },
    );
    trailer.catch(() => {}); // awaited below, or moot once the read has failed
    try {
      yield* read(db, signal);
      await trailer;
    } catch (err) {
      // The read failed because the trailer check stopped it: the trailer's error is the news.
      if (stop.signal.aborted && isLifeboatError(stop.signal.reason)) throw stop.signal.reason;
      if (options.signal?.aborted && !isLifeboatError(err)) {
        throw new LifeboatError(
          'aborted',
          `stopped reading ${db.path}: ${errorLine(options.signal.reason)}`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  } finally {
    stop.abort();
    await db.close();
  }
}

/** A live key: its summary (kind, namespace, name, encoding…) and its etcd revisions. */
export interface SnapshotEntry extends ObjectSummary {
  createRevision: number;
  modRevision: number;
  version: number;
  /** The lease id in hex, as etcdctl prints it; absent when the key has none. */
  lease?: string;
}

export interface ListOptions extends SnapshotReadOptions {
  /** Only etcd keys starting with this (e.g. /registry/secrets/). */
  prefix?: string;
  /** kube-apiserver's --etcd-prefix, for reading keys as objects; default /registry. */
  etcdPrefix?: string;
}

/** etcd keys are bytes; kube-apiserver's are UTF-8 text. */
export function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('utf8');
}

export function leaseHex(lease: bigint): string | undefined {
  return lease === 0n ? undefined : BigInt.asUintN(64, lease).toString(16);
}

export function entryOf(kv: KeyValue, etcdPrefix?: string): SnapshotEntry {
  const summary = summarize(
    keyText(kv.key),
    kv.value,
    etcdPrefix === undefined ? {} : { prefix: etcdPrefix },
  );
  const lease = leaseHex(kv.lease);
  return {
    ...summary,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    ...(lease ? { lease } : {}),
  };
}

/**
 * Every live key under the prefix, in modification order (what the file's
 * `key` bucket is ordered by), one at a time: memory stays constant.
 */
export function snapshotEntries(file: string, options: ListOptions = {}): AsyncGenerator<SnapshotEntry> {
  return readSnapshot(file, options, async function* (db, signal) {
    const keys = liveKeys(db, {
      ...(options.prefix ? { prefix: options.prefix } : {}),
      copy: false, // each value is summarised and dropped before the next is read
      signal,
    });
    for await (const kv of keys) yield entryOf(kv, options.etcdPrefix);
  });
}

/** Every live key under the prefix, sorted by key (summaries are small; values are not kept). */
export async function listSnapshot(file: string, options: ListOptions = {}): Promise<SnapshotEntry[]> {
  const sortable: { bytes: Buffer; entry: SnapshotEntry }[] = [];
  for await (const entry of snapshotEntries(file, options))
    sortable.push({ bytes: Buffer.from(entry.key), entry });
  // By bytes, as etcd orders keys (UTF-16 string order differs for characters past U+FFFF).
  return sortable.sort((a, b) => Buffer.compare(a.bytes, b.bytes)).map((s) => s.entry);
}

/** "configmaps", "deployments.apps", "widgets.example.dev": kubectl's resource.group. */
export function resourceName(entry: ObjectSummary): string {
  if (entry.type !== 'object') return `(${entry.type})`;
  return entry.group ? `${entry.resource}.${entry.group}` : (entry.resource ?? '');
}

export function encodingName(entry: ObjectSummary): string {
  if (entry.encoding !== 'encrypted') return entry.error ? `${entry.encoding}!` : entry.encoding;
  return ['encrypted', entry.provider, entry.keyName].filter((p) => p).join(':');
}

const tableHeader = [
  'RESOURCE',
  'NAMESPACE',
  'NAME',
  'KIND',
  'APIVERSION',
  'SIZE',
  'MODREV',
  'ENCODING',
  'KEY',
];

/**
 * One row of the `snapshot ls` table, the key apart (it is the last column, so it can be copied
 * into `snapshot get`, and what rows are sorted by); SIZE and MODREV as numbers.
 */
function tableCells(e: SnapshotEntry): Cell[] {
  return [
    resourceName(e),
    e.namespace || '-',
    e.name ?? '-',
    e.kind ?? '-',
    e.apiVersion ?? '-',
    e.size,
    e.modRevision,
    encodingName(e),
  ];
}

/** RESOURCE, NAMESPACE, KIND, APIVERSION and ENCODING take few values: each is stored once. */
const sharedCells = [0, 1, 3, 4, 7];

/**
 * The `snapshot ls` table of every live key, sorted by key bytes, written a line at a time.
 * Sorting needs every row: rows are kept off the JavaScript heap in a RowArena (about the key's
 * UTF-8 bytes + 20 bytes per key, see row-arena.ts), column widths as numbers. `hooks.read` runs
 * once the file is read and closed, before sorting. Returns how many values could not be decoded.
 */
export async function writeSnapshotTable(
  file: string,
  options: ListOptions,
  line: (text: string) => Promise<void> | undefined,
  hooks: { read?: () => void } = {},
): Promise<{ undecodable: number }> {
  const widths = tableHeader.map((h) => h.length);
  const rows = new RowArena({ cells: tableHeader.length - 1, shared: sharedCells });
  let undecodable = 0;
  for await (const entry of snapshotEntries(file, options)) {
    if (entry.error) undecodable++;
    const cells = tableCells(entry);
    for (let i = 0; i < cells.length; i++) widths[i] = Math.max(widths[i]!, textLength(cells[i]!));
    widths[cells.length] = Math.max(widths[cells.length]!, entry.key.length);
    rows.add(entry.key, cells);
  }
  hooks.read?.();
  rows.sort();
  await line(alignedLine(tableHeader, widths));
  for (const cells of rows.rows()) {
    const written = line(alignedLine(cells, widths));
    if (written) await written;
  }
  return { undecodable };
}

/** The length of a cell as printed (numbers: their decimal digits), without making the string. */
function textLength(cell: Cell): number {
  if (typeof cell === 'string') return cell.length;
  let digits = 1;
  for (let n = cell; n >= 10; n = Math.floor(n / 10)) digits++;
  return digits;
}
