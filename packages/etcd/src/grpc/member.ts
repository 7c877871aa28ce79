// One gRPC channel to one etcd endpoint: authenticate, Status, and the raw
// Snapshot call. Failures come back classified (see errors.ts), so the client
// above can decide whether the next endpoint is worth a try.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  Client,
  type ClientReadableStream,
  credentials,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { LifeboatError } from '@lifeboat/core';
import type { Endpoint } from './endpoints.ts';
import { type ClassifiedFailure, classifyFailure, type FailureContext } from './errors.ts';
import {
  decodeAuthenticateResponse,
  decodeSnapshotResponse,
  decodeStatusResponse,
  encodeAuthenticateRequest,
  encodeEmpty,
  type SnapshotResponse,
} from './messages.ts';
import { type EtcdStatus, toEtcdStatus } from './status.ts';
import type { TlsMaterial } from './tls.ts';

export const methods = {
  status: '/etcdserverpb.Maintenance/Status',
  snapshot: '/etcdserverpb.Maintenance/Snapshot',
  authenticate: '/etcdserverpb.Auth/Authenticate',
} as const;

/** A failed call on one member, with what kind of failure it was. */
export class MemberFailure extends Error {
  readonly failure: ClassifiedFailure;
  constructor(failure: ClassifiedFailure) {
    super(failure.error.message, { cause: failure.error });
    this.name = 'MemberFailure';
    this.failure = failure;
  }
}

export interface MemberOptions {
  tls: TlsMaterial;
  user?: string;
  dialTimeoutMs: number;
}

function channelCredentials(
  endpoint: Endpoint,
  tls: TlsMaterial,
): { creds: ChannelCredentials; options: ChannelOptions } {
  if (!endpoint.tls) return { creds: credentials.createInsecure(), options: {} };
  const host = new URL(endpoint.url).hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) {
    return { creds: credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null), options: {} };
  }
  // grpc-js sends the dialled host as TLS server name, which Node refuses for IP
  // addresses (DEP0123, printed on every run against kubeadm's 127.0.0.1). So a
  // fixed name goes out instead (etcd ignores it) and the certificate is still
  // checked against the IP, as etcdctl does.
  return {
    creds: credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, {
      checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
    }),
    options: { 'grpc.ssl_target_name_override': 'etcd' },
  };
}

export class MemberConnection {
  readonly endpoint: Endpoint;
  readonly #client: Client;
  readonly #options: MemberOptions;
  readonly #metadata = new Metadata();

  constructor(endpoint: Endpoint, options: MemberOptions) {
    this.endpoint = endpoint;
    this.#options = options;
    const { creds, options: channelOptions } = channelCredentials(endpoint, options.tls);
    this.#client = new Client(endpoint.target, creds, {
      ...channelOptions,
      // Own connections, closed with this member, not shared through grpc-js's global pool.
      'grpc.use_local_subchannel_pool': 1,
      // A snapshot chunk is 32 KiB; leave room for a server that sends bigger ones.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // HTTP/2's default 64 KiB window stalls etcd between WINDOW_UPDATEs; a larger
      // one made snapshots ~1.5x faster here, and still bounds what a paused stream holds.
      'grpc-node.flow_control_window': 2 * 1024 * 1024,
    });
  }

  context(phase: FailureContext['phase'], extra: Partial<FailureContext> = {}): FailureContext {
    const files = this.#options.tls.files;
    return {
      endpoint: this.endpoint,
      phase,
      dialTimeoutMs: this.#options.dialTimeoutMs,
      ...(files.cacert ? { cacert: files.cacert } : {}),
      ...(files.cert ? { cert: files.cert } : {}),
      ...(this.#options.user ? { user: this.#options.user } : {}),
      ...extra,
    };
  }

  #unary<Req, Res>(
    method: string,
    serialize: (r: Req) => Buffer,
    deserialize: (b: Buffer) => Res,
    request: Req,
    phase: FailureContext['phase'],
    signal?: AbortSignal,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(aborted());
      const options: CallOptions = { deadline: Date.now() + this.#options.dialTimeoutMs };
      const call = this.#client.makeUnaryRequest(
        method,
        serialize,
        deserialize,
        request,
        this.#metadata,
        options,
        (err: ServiceError | null, value?: Res) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return reject(aborted());
          if (err) return reject(new MemberFailure(classifyFailure(err, this.context(phase))));
          resolve(value as Res);
        },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Trades user and password for a token that later calls carry as "token" metadata. */
  async authenticate(user: string, password: string, signal?: AbortSignal): Promise<void> {
    try {
      const res = await this.#unary(
        methods.authenticate,
        encodeAuthenticateRequest,
        decodeAuthenticateResponse,
        { name: user, password },
        'authenticate',
        signal,
      );
      this.#metadata.set('token', res.token);
    } catch (err) {
      // Like etcdctl: credentials for a cluster without auth are not an error.
      if (err instanceof MemberFailure && /authentication is not enabled/i.test(err.failure.error.message))
        return;
      throw err;
    }
  }

  async status(signal?: AbortSignal): Promise<EtcdStatus> {
    const res = await this.#unary(methods.status, encodeEmpty, decodeStatusResponse, {}, 'connect', signal);
    return toEtcdStatus(this.endpoint.url, res);
  }

  /** Starts Maintenance/Snapshot; no deadline: the stream's idle timeout guards it. */
  snapshotCall(): ClientReadableStream<SnapshotResponse> {
    return this.#client.makeServerStreamRequest(
      methods.snapshot,
      encodeEmpty,
      decodeSnapshotResponse,
      {},
      this.#metadata,
    );
  }

  close(): void {
    this.#client.close();
  }
}

export function aborted(): LifeboatError {
  return new LifeboatError('aborted', 'cancelled before etcd answered');
}
