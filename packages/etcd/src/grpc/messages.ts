// Codecs for the etcd messages in etcd.proto, written on the shared wire
// codec: grpc-js only needs a serialize and a deserialize function per method,
// so no .proto is loaded at run time and the CLI bundles to one file.
// Encoders follow proto3: fields at their default value are left out.
import { asBigInt, asBool, asBytes, asString, encode, fields, type WriteField } from '../protobuf/wire.ts';

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

export interface StatusResponse {
  header?: ResponseHeader;
  version: string;
  dbSize: bigint;
  leader: bigint;
  raftIndex: bigint;
  raftTerm: bigint;
  raftAppliedIndex: bigint;
  errors: string[];
  dbSizeInUse: bigint;
  isLearner: boolean;
  storageVersion: string;
}

export interface SnapshotResponse {
  header?: ResponseHeader;
  remainingBytes: bigint;
  blob: Uint8Array;
  version: string;
}

export interface AuthenticateRequest {
  name: string;
  password: string;
}

export interface AuthenticateResponse {
  header?: ResponseHeader;
  token: string;
}

// --- helpers --------------------------------------------------------------

function varint(number: number, value: bigint | boolean): WriteField | undefined {
  return value === 0n || value === false ? undefined : { number, varint: value };
}

function bytes(number: number, value: Uint8Array | string): WriteField | undefined {
  return value.length === 0 ? undefined : { number, bytes: value };
}

function header(number: number, value: ResponseHeader | undefined): WriteField | undefined {
  return value ? { number, bytes: encodeResponseHeader(value) } : undefined;
}

// --- ResponseHeader -------------------------------------------------------

export function encodeResponseHeader(h: ResponseHeader): Buffer {
  return encode([
    varint(1, h.clusterId),
    varint(2, h.memberId),
    varint(3, h.revision),
    varint(4, h.raftTerm),
  ]);
}

export function decodeResponseHeader(buf: Uint8Array): ResponseHeader {
  const h: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  for (const f of fields(buf, 'etcd ResponseHeader')) {
    if (f.number === 1) h.clusterId = asBigInt(f);
    else if (f.number === 2) h.memberId = asBigInt(f);
    else if (f.number === 3) h.revision = BigInt.asIntN(64, asBigInt(f));
    else if (f.number === 4) h.raftTerm = asBigInt(f);
  }
  return h;
}

// --- requests without fields ----------------------------------------------

/** StatusRequest and SnapshotRequest have no fields: both encode to zero bytes. */
export function encodeEmpty(_message: Record<string, never> = {}): Buffer {
  return Buffer.alloc(0);
}

// --- Status ---------------------------------------------------------------

export function encodeStatusResponse(s: StatusResponse): Buffer {
  return encode([
    header(1, s.header),
    bytes(2, s.version),
    varint(3, s.dbSize),
    varint(4, s.leader),
    varint(5, s.raftIndex),
    varint(6, s.raftTerm),
    varint(7, s.raftAppliedIndex),
    ...s.errors.map((e): WriteField => ({ number: 8, bytes: e })),
    varint(9, s.dbSizeInUse),
    varint(10, s.isLearner),
    bytes(11, s.storageVersion),
  ]);
}

export function decodeStatusResponse(buf: Uint8Array): StatusResponse {
  const s: StatusResponse = {
    version: '',
    dbSize: 0n,
    leader: 0n,
    raftIndex: 0n,
    raftTerm: 0n,
    raftAppliedIndex: 0n,
    errors: [],
    dbSizeInUse: 0n,
    isLearner: false,
    storageVersion: '',
  };
  for (const f of fields(buf, 'etcd StatusResponse')) {
    switch (f.number) {
      case 1:
        s.header = decodeResponseHeader(asBytes(f));
        break;
      case 2:
        s.version = asString(f);
        break;
      case 3:
        s.dbSize = BigInt.asIntN(64, asBigInt(f));
        break;
      case 4:
        s.leader = asBigInt(f);
        break;
      case 5:
        s.raftIndex = asBigInt(f);
        break;
      case 6:
        s.raftTerm = asBigInt(f);
        break;
      case 7:
        s.raftAppliedIndex = asBigInt(f);
        break;
      case 8:
        s.errors.push(asString(f));
        break;
      case 9:
        s.dbSizeInUse = BigInt.asIntN(64, asBigInt(f));
        break;
      case 10:
        s.isLearner = asBool(f);
        break;
      case 11:
        s.storageVersion = asString(f);
        break;
    }
  }
  return s;
}

// --- Snapshot -------------------------------------------------------------

export function encodeSnapshotResponse(r: SnapshotResponse): Buffer {
  return encode([header(1, r.header), varint(2, r.remainingBytes), bytes(3, r.blob), bytes(4, r.version)]);
}

export function decodeSnapshotResponse(buf: Uint8Array): SnapshotResponse {
  const r: SnapshotResponse = { remainingBytes: 0n, blob: new Uint8Array(0), version: '' };
  for (const f of fields(buf, 'etcd SnapshotResponse')) {
    if (f.number === 1) r.header = decodeResponseHeader(asBytes(f));
    else if (f.number === 2) r.remainingBytes = asBigInt(f);
    else if (f.number === 3) r.blob = asBytes(f);
    else if (f.number === 4) r.version = asString(f);
  }
  return r;
}

// --- Authenticate ---------------------------------------------------------

export function encodeAuthenticateRequest(r: AuthenticateRequest): Buffer {
  return encode([bytes(1, r.name), bytes(2, r.password)]);
}

export function decodeAuthenticateRequest(buf: Uint8Array): AuthenticateRequest {
  const r: AuthenticateRequest = { name: '', password: '' };
  for (const f of fields(buf, 'etcd AuthenticateRequest')) {
    if (f.number === 1) r.name = asString(f);
    else if (f.number === 2) r.password = asString(f);
  }
  return r;
}

export function encodeAuthenticateResponse(r: AuthenticateResponse): Buffer {
  return encode([header(1, r.header), bytes(2, r.token)]);
}

export function decodeAuthenticateResponse(buf: Uint8Array): AuthenticateResponse {
  const r: AuthenticateResponse = { token: '' };
  for (const f of fields(buf, 'etcd AuthenticateResponse')) {
    if (f.number === 1) r.header = decodeResponseHeader(asBytes(f));
    else if (f.number === 2) r.token = asString(f);
  }
  return r;
}

/** etcd prints member and cluster ids as 16 hex digits, e.g. 8e9e05c52164694d. */
export function hexId(id: bigint): string {
  return id.toString(16);
}
