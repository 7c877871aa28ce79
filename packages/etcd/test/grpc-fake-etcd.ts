// An in-process stand-in for etcd's Maintenance and Auth services on grpc-js,
// speaking the same wire format through our own codecs, so the unit tests can
// make a server misbehave in ways a real etcd rarely does: a wrong checksum,
// a stream that stops early, an error halfway, silence.
import { createHash } from 'node:crypto';
import {
  status as grpcStatus,
  type Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  type AuthenticateRequest,
  type AuthenticateResponse,
  decodeAuthenticateRequest,
  encodeAuthenticateResponse,
  encodeSnapshotResponse,
  encodeStatusResponse,
  type SnapshotResponse,
  type StatusResponse,
} from '../src/grpc/messages.ts';

export interface FakeEtcdBehaviour {
  /** The database bytes the snapshot streams. */
  db?: Buffer;
  chunk?: number;
  /** Replaces the checksum message's blob. */
  checksum?: (digest: Buffer) => Buffer;
  /** Stop (with OK status) after this many data messages. */
  endAfterChunks?: number;
  /** Fail with this status after this many data messages. */
  failAfterChunks?: { chunks: number; code: number; details: string };
  /** Wait this long before each data message after the first `stallAfterChunks`. */
  stall?: { afterChunks: number; ms: number };
  /** Send this message after the checksum. */
  extra?: boolean;
  /** The user and password Authenticate accepts; when set, calls need the token. */
  auth?: { user: string; password: string };
  storageVersion?: string;
}

export interface FakeEtcd {
  endpoint: string;
  /** Metadata "token" of every Status and Snapshot call, in order. */
  tokens: (string | undefined)[];
  /** Data messages the snapshot has sent so far. */
  sentChunks: () => number;
  behaviour: FakeEtcdBehaviour;
  stop(): Promise<void>;
}

const identity = (b: Buffer) => b;

const service: ServiceDefinition = {
  Status: {
    path: '/etcdserverpb.Maintenance/Status',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: (r: StatusResponse) => encodeStatusResponse(r),
    responseDeserialize: identity,
  },
  Snapshot: {
    path: '/etcdserverpb.Maintenance/Snapshot',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: (r: SnapshotResponse) => encodeSnapshotResponse(r),
    responseDeserialize: identity,
  },
};

const authService: ServiceDefinition = {
  Authenticate: {
    path: '/etcdserverpb.Auth/Authenticate',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: (b: Buffer) => decodeAuthenticateRequest(b),
    responseSerialize: (r: AuthenticateResponse) => encodeAuthenticateResponse(r),
    responseDeserialize: identity,
  },
};

export const fakeHeader = {
  clusterId: 0xcdef0123456789abn,
  memberId: 0x8e9e05c52164694dn,
  revision: 42n,
  raftTerm: 3n,
};

export function fakeStatus(db: Buffer, storageVersion = ''): StatusResponse {
  return {
    header: fakeHeader,
    version: '3.6.99',
    dbSize: BigInt(db.length),
    leader: fakeHeader.memberId,
    raftIndex: 10n,
    raftTerm: 3n,
    raftAppliedIndex: 10n,
    errors: [],
    dbSizeInUse: BigInt(db.length) / 2n,
    isLearner: false,
    storageVersion,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeEtcd(behaviour: FakeEtcdBehaviour = {}): Promise<FakeEtcd> {
  const server = new Server();
  const tokens: (string | undefined)[] = [];
  let sent = 0;
  const token = 'token-for-tests.1';
  const denied = (md: Metadata): boolean => {
    const got = md.get('token')[0]?.toString();
    tokens.push(got);
    return behaviour.auth !== undefined && got !== token;
  };
  server.addService(service, {
    Status: (call: ServerUnaryCall<Buffer, StatusResponse>, callback: sendUnaryData<StatusResponse>) => {
      if (denied(call.metadata)) {
        return callback({ code: grpcStatus.INVALID_ARGUMENT, details: 'etcdserver: user name is empty' });
      }
      callback(null, fakeStatus(behaviour.db ?? Buffer.alloc(0), behaviour.storageVersion));
    },
    Snapshot: async (call: ServerWritableStream<Buffer, SnapshotResponse>) => {
      if (denied(call.metadata)) {
        call.emit('error', { code: grpcStatus.INVALID_ARGUMENT, details: 'etcdserver: user name is empty' });
        return;
      }
      const db = behaviour.db ?? Buffer.alloc(0);
      const chunk = behaviour.chunk ?? 32 * 1024;
      const version = behaviour.storageVersion ?? '';
      let cancelled = false;
      call.on('cancelled', () => {
        cancelled = true;
      });
      const write = (m: SnapshotResponse) =>
        new Promise<void>((resolve) => {
          if (call.write(m)) resolve();
          else call.once('drain', () => resolve());
        });
      let chunks = 0;
      for (let at = 0; at < db.length; at += chunk) {
        if (cancelled) return;
        if (behaviour.endAfterChunks !== undefined && chunks >= behaviour.endAfterChunks) return call.end();
        const fail = behaviour.failAfterChunks;
        if (fail && chunks >= fail.chunks) {
          call.emit('error', { code: fail.code, details: fail.details });
          return;
        }
        if (behaviour.stall && chunks >= behaviour.stall.afterChunks) await sleep(behaviour.stall.ms);
        const blob = db.subarray(at, at + chunk);
        await write({ remainingBytes: BigInt(db.length - at - blob.length), blob, version });
        chunks++;
        sent = chunks;
      }
      const digest = createHash('sha256').update(db).digest();
      await write({
        remainingBytes: 0n,
        blob: behaviour.checksum ? behaviour.checksum(digest) : digest,
        version,
      });
      if (behaviour.extra) await write({ remainingBytes: 0n, blob: Buffer.from('more'), version });
      call.end();
    },
  });
  server.addService(authService, {
    Authenticate: (
      call: ServerUnaryCall<AuthenticateRequest, AuthenticateResponse>,
      callback: sendUnaryData<AuthenticateResponse>,
    ) => {
      const auth = behaviour.auth;
      if (!auth)
        return callback({
          code: grpcStatus.FAILED_PRECONDITION,
          details: 'etcdserver: authentication is not enabled',
        });
      if (call.request.name !== auth.user || call.request.password !== auth.password) {
        return callback({
          code: grpcStatus.INVALID_ARGUMENT,
          details: 'etcdserver: authentication failed, invalid user ID or password',
        });
      }
      callback(null, { header: fakeHeader, token });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    tokens,
    sentChunks: () => sent,
    behaviour,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
