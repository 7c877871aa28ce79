// The one interface every backend (local folder, S3, restic) implements, and
// the contract callers and wrappers (retry, dry-run, progress) may rely on.
// Every backend runs the same conformance suite (test/conformance.ts).
import type { Readable } from 'node:stream';

/** What put stores: a byte stream, or any async iterable of bytes (a generator). */
export type PutBody = Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** Aborting stops the upload; nothing is left behind. */
  signal?: AbortSignal;
  /** The body's exact length when known; a body of any other length fails the put. */
  size?: number;
}

export interface PutResult {
  /** Bytes stored. */
  size: number;
  /** Hex sha256 of the bytes stored, computed while writing (backup's metadata records it). */
  sha256: string;
}

export interface GetOptions {
  signal?: AbortSignal;
}

export interface ObjectStat {
  size: number;
  modified: Date;
}

export interface ObjectInfo extends ObjectStat {
  key: string;
}

/**
 * Whole objects stored under keys.
 *
 * A key is a '/'-separated path relative to the store's root, such as
 * `prod/cp-1/20261121T143000Z.json`; every method rejects a key that
 * `validateKey` refuses with LifeboatError 'usage', before touching the store.
 * Objects are immutable once written: they are replaced whole, never edited.
 *
 * Nothing here retries. stat, get, list and delete are idempotent and safe for
 * a retry wrapper to repeat; put is too, but only with a body it can replay.
 */
export interface BackupStore {
  /** Where the store is, for messages and logs, e.g. `file:///var/backups`. Never holds credentials. */
  readonly location: string;

  /**
   * Stores the body under key, replacing any object already there.
   *
   * Atomic: readers see either the previous object (or none) or the complete
   * new one, never part of it. When the body errors, the signal aborts, or the
   * body's length differs from `options.size`, put rejects and the key is left
   * as it was: no partial object, and no in-progress object that list shows.
   * A rejection for any other reason (a failure after the last byte) may
   * leave either the old object or the complete new one.
   *
   * put always finishes with the body: it reads it to the end or, when it
   * gives up early (bad key, abort, failure), stops it — a Readable is
   * destroyed, a generator returned — so the producer never hangs.
   *
   * Rejects with the body's own error when the body fails, LifeboatError
   * 'aborted' when the signal aborts, 'integrity' on a size mismatch, and
   * 'io' or 'store' when the backend fails.
   */
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;

  /**
   * Opens the object at key for reading.
   *
   * Rejects with LifeboatError 'not-found' when there is no object at key, and
   * 'aborted' when the signal is already aborted. Aborting later destroys the
   * returned stream with an error.
   */
  get(key: string, options?: GetOptions): Promise<Readable>;

  /** Size and modification time of the object at key, or undefined when there is none. */
  stat(key: string): Promise<ObjectStat | undefined>;

  /**
   * Every object whose key starts with prefix (a plain string prefix, as in S3:
   * `a/b` matches `a/b/c` and `a/bc`), at any depth, in ascending order of the
   * keys' UTF-8 bytes (`compareKeys`). The default prefix '' lists everything.
   * Puts still in progress are never listed.
   */
  list(prefix?: string): AsyncIterable<ObjectInfo>;

  /** Removes the object at key. Idempotent: resolves when there is no object at key. */
  delete(key: string): Promise<void>;
}
