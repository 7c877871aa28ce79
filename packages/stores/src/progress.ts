// A BackupStore that reports the bytes flowing through put and get of the
// store it wraps — count, rate and, when the size is known, the total — so a
// CLI can draw progress and logs can show throughput.
import { pipeline, type Readable, Transform } from 'node:stream';
import { stopBody } from './body.ts';
import type {
  BackupStore,
  GetOptions,
  ObjectInfo,
  ObjectStat,
  PutBody,
  PutOptions,
  PutResult,
} from './store.ts';

export interface Progress {
  operation: 'put' | 'get';
  key: string;
  /** Bytes so far. */
  bytes: number;
  /** The object's size, when known (put with options.size). */
  total?: number;
  elapsedMs: number;
  /** Average since the start. */
  bytesPerSecond: number;
  /** True once, on the last report of a transfer that ended (successfully or not). */
  done: boolean;
}

export interface ProgressOptions {
  /** Least time between reports; default 1000 ms. The first and the last are always sent. */
  intervalMs?: number;
}

export class ProgressStore implements BackupStore {
  readonly location: string;
  readonly #inner: BackupStore;
  readonly #report: (progress: Progress) => void;
  readonly #intervalMs: number;

  constructor(inner: BackupStore, report: (progress: Progress) => void, options: ProgressOptions = {}) {
    this.#inner = inner;
    this.location = inner.location;
    this.#report = report;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const meter = this.#meter('put', key, options.size);
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        meter.add((chunk as Uint8Array).byteLength);
        yield chunk as Uint8Array;
      }
    }
    try {
      return await this.#inner.put(key, counted(), options);
    } catch (err) {
      // The inner store stopped our generator; a generator never started does
      // not pass that on, so stop the caller's body here too.
      stopBody(body);
      throw err;
    } finally {
      meter.end();
    }
  }

  async get(key: string, options?: GetOptions): Promise<Readable> {
    const stream = await this.#inner.get(key, options);
    const meter = this.#meter('get', key, undefined);
    const counter = new Transform({
      transform(chunk: Uint8Array, _encoding, callback) {
        meter.add(chunk.byteLength);
        callback(null, chunk);
      },
      // Before 'end', so a reader that has seen the end has seen the last report.
      flush(callback) {
        meter.end();
        callback();
      },
    });
    // Errors and early destruction travel both ways, as from the inner stream.
    return pipeline(stream, counter, () => meter.end());
  }

  stat(key: string): Promise<ObjectStat | undefined> {
    return this.#inner.stat(key);
  }

  list(prefix?: string): AsyncIterable<ObjectInfo> {
    return this.#inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  #meter(operation: Progress['operation'], key: string, total: number | undefined) {
    const start = Date.now();
    let bytes = 0;
    let lastReport = 0;
    let ended = false;
    const send = (done: boolean) => {
      const elapsedMs = Date.now() - start;
      lastReport = Date.now();
      this.#report({
        operation,
        key,
        bytes,
        ...(total !== undefined && { total }),
        elapsedMs,
        bytesPerSecond: elapsedMs > 0 ? Math.round((bytes * 1000) / elapsedMs) : 0,
        done,
      });
    };
    send(false);
    return {
      add: (n: number) => {
        bytes += n;
        if (Date.now() - lastReport >= this.#intervalMs) send(false);
      },
      end: () => {
        if (ended) return;
        ended = true;
        send(true);
      },
    };
  }
}
