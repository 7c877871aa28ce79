// The etcd client Lifeboat uses: Status and Snapshot over TLS, with optional
// user/password auth, trying the endpoints in order and moving to the next
// one only when a member cannot be reached (or drops a snapshot before its
// first byte): a wrong password or a broken stream halfway is not retried
// elsewhere, it is reported.
import { LifeboatError } from '@lifeboat/core';
import { type Endpoint, parseEndpoints } from './endpoints.ts';
import { type ClassifiedFailure, classifyFailure, type FailureKind } from './errors.ts';
import { aborted, MemberConnection, MemberFailure } from './member.ts';
import { SnapshotStartFailure, SnapshotStream } from './snapshot-stream.ts';
import type { EtcdStatus } from './status.ts';
import { loadTls, type TlsFiles, type TlsMaterial } from './tls.ts';

export interface EtcdClientOptions extends TlsFiles {
  /** https://host:port, http://host:port or host:port (TLS when certificates are given); comma lists allowed. */
  endpoints: readonly string[];
  user?: string;
  password?: string;
  /** Time to connect and get an answer to a unary call (Authenticate, Status). */
  dialTimeoutMs?: number;
  /** A snapshot fails when etcd sends nothing for this long while we wait for data. */
  idleTimeoutMs?: number;
  /** Cancels whatever is under way: calls fail with code "aborted". */
  signal?: AbortSignal;
}

export const defaultDialTimeoutMs = 5_000;
export const defaultIdleTimeoutMs = 30_000;

// When every endpoint fails, the most telling failure is reported: a TLS or
// auth problem says what to fix, "connection refused" only where not to look.
const telling: readonly FailureKind[] = [
  'client-cert-refused',
  'client-cert-missing',
  'untrusted-server',
  'wrong-host',
  'not-tls',
  'not-plaintext',
  'timeout',
  'unreachable',
  'lost',
  'unresolved',
  'refused',
];

export class EtcdClient {
  readonly endpoints: readonly Endpoint[];
  readonly #options: EtcdClientOptions;
  #tls: Promise<TlsMaterial> | undefined;
  #member: MemberConnection | undefined;
  #next = 0;
  #failures: { endpoint: Endpoint; failure: ClassifiedFailure }[] = [];

  constructor(options: EtcdClientOptions) {
    this.#options = options;
    const tlsByDefault = Boolean(options.cacert || options.cert);
    this.endpoints = parseEndpoints(options.endpoints, tlsByDefault);
  }

  /** The endpoint in use, once connected. */
  get endpoint(): string | undefined {
    return this.#member?.endpoint.url;
  }

  get #dialTimeoutMs(): number {
    return this.#options.dialTimeoutMs ?? defaultDialTimeoutMs;
  }

  /** Status of the member in use (connecting first, with failover). */
  async status(): Promise<EtcdStatus> {
    for (;;) {
      const member = await this.#connect();
      try {
        return await member.status(this.#options.signal);
      } catch (err) {
        this.#handle(err, member);
      }
    }
  }

  /**
   * Starts a snapshot and resolves once its first chunk arrived (so `dbSize`
   * and `totalSize` are known). The stream carries the Status of the same
   * member taken just before. The caller consumes it and then calls close().
   */
  async snapshot(): Promise<SnapshotStream> {
    for (;;) {
      const status = await this.status();
      const member = this.#member!;
      const stream = new SnapshotStream(member.snapshotCall(), {
        endpoint: member.endpoint.url,
        status,
        idleTimeoutMs: this.#options.idleTimeoutMs ?? defaultIdleTimeoutMs,
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
        classify: (failure, received, total) =>
          classifyFailure(
            failure,
            member.context('stream', { received, ...(total === undefined ? {} : { total }) }),
          ),
      });
      try {
        await stream.ready;
        return stream;
      } catch (err) {
        if (!(err instanceof SnapshotStartFailure)) throw err;
        if (!err.failure) throw err.error;
        this.#handle(new MemberFailure(err.failure), member);
      }
    }
  }

  close(): void {
    this.#member?.close();
    this.#member = undefined;
  }

  /** Rethrows final failures; for a reachability failure, drops the member so the next endpoint is tried. */
  #handle(err: unknown, member: MemberConnection): void {
    if (!(err instanceof MemberFailure)) throw err;
    if (this.#options.signal?.aborted) throw aborted();
    if (!err.failure.tryNext) throw err.failure.error;
    this.#failures.push({ endpoint: member.endpoint, failure: err.failure });
    member.close();
    if (this.#member === member) this.#member = undefined;
  }

  async #connect(): Promise<MemberConnection> {
    if (this.#member) return this.#member;
    const signal = this.#options.signal;
    this.#tls ??= loadTls(this.#options);
    const tls = await this.#tls;
    while (this.#next < this.endpoints.length) {
      if (signal?.aborted) throw aborted();
      const endpoint = this.endpoints[this.#next++]!;
      const member = new MemberConnection(endpoint, {
        tls,
        dialTimeoutMs: this.#dialTimeoutMs,
        ...(this.#options.user ? { user: this.#options.user } : {}),
      });
      try {
        if (this.#options.user)
          await member.authenticate(this.#options.user, this.#options.password ?? '', signal);
        // Status proves the member is reachable (and that the token works) before anything else.
        await member.status(signal);
        this.#member = member;
        return member;
      } catch (err) {
        this.#handle(err, member);
      }
    }
    throw this.#exhausted();
  }

  #exhausted(): LifeboatError {
    const failures = this.#failures;
    if (failures.length === 0)
      return new LifeboatError('etcd', 'no etcd endpoint to connect to; pass --endpoints');
    const best = [...failures].sort(
      (a, b) => telling.indexOf(a.failure.kind) - telling.indexOf(b.failure.kind),
    )[0]!;
    if (failures.length === 1) return best.failure.error;
    const others = failures
      .filter((f) => f !== best)
      .map((f) => `${f.endpoint.url}: ${f.failure.kind.replace(/-/g, ' ')}`)
      .join(', ');
    return new LifeboatError(
      'etcd',
      `${best.failure.error.message} (no other endpoint worked either: ${others})`,
      {
        cause: best.failure.error,
      },
    );
  }
}
