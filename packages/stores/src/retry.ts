// A BackupStore that repeats failed calls of the store it wraps, with
// exponential backoff, when the failure is transient (see transient.ts for
// which are). get, stat, list and delete are idempotent and retried; put is
// passed through once: its body is a stream that cannot be replayed, and a
// backup that failed is re-run whole by its caller.
import type { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { compareKeys } from './key.ts';
import type {
  BackupStore,
  GetOptions,
  ObjectInfo,
  ObjectStat,
  PutBody,
  PutOptions,
  PutResult,
} from './store.ts';
import { isTransient } from './transient.ts';

export interface RetryInfo {
  operation: 'get' | 'stat' | 'list' | 'delete';
  /** The key, or the prefix for list. */
  key: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Retries after the first attempt; default 4. */
  retries?: number;
  /** First delay; it doubles per retry, with jitter; default 500 ms. */
  baseDelayMs?: number;
  /** Longest delay; default 15 s. */
  maxDelayMs?: number;
  /** Called before each retry (to log it). */
  onRetry?: (info: RetryInfo) => void;
  /** Which errors to retry; default isTransient. */
  retryable?: (err: unknown) => boolean;
}

export class RetryStore implements BackupStore {
  readonly location: string;
  readonly #inner: BackupStore;
  readonly #options: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

  constructor(inner: BackupStore, options: RetryOptions = {}) {
    this.#inner = inner;
    this.location = inner.location;
    this.#options = {
      retries: options.retries ?? 4,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 15_000,
      retryable: options.retryable ?? isTransient,
      ...(options.onRetry && { onRetry: options.onRetry }),
    };
  }

  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return this.#inner.put(key, body, options);
  }

  /** Retries opening the stream; a stream that fails later is the caller's to re-read. */
  get(key: string, options?: GetOptions): Promise<Readable> {
    return this.#retry('get', key, () => this.#inner.get(key, options), options?.signal);
  }

  stat(key: string): Promise<ObjectStat | undefined> {
    return this.#retry('stat', key, () => this.#inner.stat(key));
  }

  delete(key: string): Promise<void> {
    return this.#retry('delete', key, () => this.#inner.delete(key));
  }

  /** A listing that fails part-way starts again after the last key yielded (keys come in order). */
  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    let last: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const info of this.#inner.list(prefix)) {
          if (last !== undefined && compareKeys(info.key, last) <= 0) continue;
          last = info.key;
          yield info;
        }
        return;
      } catch (err) {
        await this.#backoff('list', prefix, attempt, err);
      }
    }
  }

  async #retry<T>(
    operation: RetryInfo['operation'],
    key: string,
    call: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        await this.#backoff(operation, key, attempt, err, signal);
      }
    }
  }

  // Rethrows err unless it is retryable and retries remain; otherwise waits.
  async #backoff(
    operation: RetryInfo['operation'],
    key: string,
    attempt: number,
    err: unknown,
    signal?: AbortSignal,
  ): Promise<void> {
    const { retries, baseDelayMs, maxDelayMs, retryable, onRetry } = this.#options;
    if (attempt > retries || !retryable(err) || signal?.aborted) throw err;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Half fixed, half random: spread out, yet never much shorter than asked.
    const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    onRetry?.({ operation, key, attempt, delayMs, error: err });
    await sleep(
      delayMs,
      signal,
      () => new LifeboatError('aborted', `${operation} ${key} was aborted`, { cause: err }),
    );
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
