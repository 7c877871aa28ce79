// The hand-written etcd codecs against hex vectors worked out from the
// protobuf encoding rules, and against protobufjs reading our etcd.proto
// (protobufjs comes with grpc-js; when it is not resolvable those cases skip
// and the vectors still hold the codecs to the wire format).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AuthenticateRequest,
  type AuthenticateResponse,
  decodeAuthenticateRequest,
  decodeAuthenticateResponse,
  decodeSnapshotResponse,
  decodeStatusResponse,
  encodeAuthenticateRequest,
  encodeAuthenticateResponse,
  encodeEmpty,
  encodeResponseHeader,
  encodeSnapshotResponse,
  encodeStatusResponse,
  hexId,
  type SnapshotResponse,
  type StatusResponse,
} from '../src/grpc/messages.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const status: StatusResponse = {
  header: {
    clusterId: 0xcdef0123456789abn,
    memberId: 0x8e9e05c52164694dn,
    revision: 123456789n,
    raftTerm: 7n,
  },
  version: '3.6.16',
  dbSize: 20480n,
  leader: 0x8e9e05c52164694dn,
  raftIndex: 99n,
  raftTerm: 7n,
  raftAppliedIndex: 98n,
  errors: ['etcdserver: no leader', 'memberID:1 alarm:NOSPACE'],
  dbSizeInUse: 16384n,
  isLearner: true,
  storageVersion: '3.6.0',
};

const snapshot: SnapshotResponse = {
  header: { clusterId: 1n, memberId: 2n, revision: 3n, raftTerm: 4n },
  remainingBytes: 300n,
  blob: Buffer.from('dead', 'hex'),
  version: '3.6.0',
};

const authRequest: AuthenticateRequest = { name: 'root', password: 'pw' };
const authResponse: AuthenticateResponse = {
  header: { clusterId: 1n, memberId: 2n, revision: 3n, raftTerm: 4n },
  token: 'abc.1',
};

describe('etcd message codecs: hex vectors', () => {
  it('encodes a ResponseHeader as four varints in field order', () => {
    // tag = field << 3 | wire type 0: 08, 10, 18, 20; small values are one byte each.
    expect(hex(encodeResponseHeader({ clusterId: 1n, memberId: 2n, revision: 3n, raftTerm: 4n }))).toBe(
      '0801100218032004',
    );
  });

  it('encodes a 64-bit member id with the top bit set as a 10-byte varint', () => {
    // 0x8e9e05c52164694d in 7-bit groups, least significant first, continuation bits set.
    const out = encodeResponseHeader({
      clusterId: 0n,
      memberId: 0x8e9e05c52164694dn,
      revision: 0n,
      raftTerm: 0n,
    });
    expect(hex(out)).toBe('10cdd2918bd2b881cf8e01');
  });

  it('encodes SnapshotResponse: remaining 300 = ac 02, blob as length-delimited field 3, version field 4', () => {
    const { header: _h, ...noHeader } = snapshot;
    expect(hex(encodeSnapshotResponse(noHeader))).toBe('10ac021a02dead2205332e362e30');
  });

  it('encodes AuthenticateRequest as two strings', () => {
    expect(hex(encodeAuthenticateRequest(authRequest))).toBe('0a04726f6f7412027077');
  });

  it('leaves out proto3 defaults: StatusRequest/SnapshotRequest are empty, zero fields vanish', () => {
    expect(encodeEmpty().length).toBe(0);
    expect(hex(encodeSnapshotResponse({ remainingBytes: 0n, blob: new Uint8Array(0), version: '' }))).toBe(
      '',
    );
  });

  it('decodes what it encodes', () => {
    expect(decodeStatusResponse(encodeStatusResponse(status))).toEqual(status);
    const back = decodeSnapshotResponse(encodeSnapshotResponse(snapshot));
    expect({ ...back, blob: hex(back.blob) }).toEqual({ ...snapshot, blob: 'dead' });
    expect(decodeAuthenticateRequest(encodeAuthenticateRequest(authRequest))).toEqual(authRequest);
    expect(decodeAuthenticateResponse(encodeAuthenticateResponse(authResponse))).toEqual(authResponse);
  });

  it('skips fields it does not know (dbSizeQuota = 12, downgradeInfo = 13 from etcd 3.6)', () => {
    const extra = Buffer.concat([
      encodeStatusResponse(status),
      Buffer.from('6080808001', 'hex'),
      Buffer.from('6a020801', 'hex'),
    ]);
    expect(decodeStatusResponse(extra)).toEqual(status);
  });

  it("reads a negative int64 revision as negative (two's complement)", () => {
    const h = decodeStatusResponse(Buffer.from('0a0b18ffffffffffffffffff01', 'hex')).header!;
    expect(h.revision).toBe(-1n);
  });

  it('prints ids as etcdctl does: lowercase hex without padding', () => {
    expect(hexId(0x8e9e05c52164694dn)).toBe('8e9e05c52164694d');
    expect(hexId(0x0123n)).toBe('123');
  });
});

// protobufjs, if this workspace can resolve it.
const require = createRequire(import.meta.url);
let protobuf: typeof import('protobufjs') | undefined;
try {
  protobuf = require('protobufjs') as typeof import('protobufjs');
} catch {
  protobuf = undefined;
}

/** Our message as a protobufjs plain object: 64-bit values as strings, defaults left out. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const isDefault = v === 0n || v === '' || v === false || (v instanceof Uint8Array && v.length === 0);
      if (!isDefault) out[k] = plain(v);
    }
    return out;
  }
  return value;
}

describe.skipIf(!protobuf)('etcd message codecs against protobufjs reading etcd.proto', () => {
  const root = protobuf?.loadSync(join(import.meta.dirname, '../src/grpc/etcd.proto'));
  const type = (name: string) => root!.lookupType(`etcdserverpb.${name}`);

  const cases: [string, unknown, (m: never) => Buffer, (b: Uint8Array) => unknown][] = [
    ['StatusResponse', status, encodeStatusResponse as never, decodeStatusResponse],
    ['SnapshotResponse', snapshot, encodeSnapshotResponse as never, decodeSnapshotResponse],
    ['AuthenticateRequest', authRequest, encodeAuthenticateRequest as never, decodeAuthenticateRequest],
    ['AuthenticateResponse', authResponse, encodeAuthenticateResponse as never, decodeAuthenticateResponse],
    [
      'ResponseHeader',
      status.header,
      encodeResponseHeader as never,
      (b) => decodeStatusResponse(Buffer.concat([Buffer.from([0x0a, b.length]), b])).header,
    ],
  ];

  it.each(cases)('%s: same bytes as protobufjs, and each decodes the other', (name, sample, enc, dec) => {
    const t = type(name);
    const theirs = Buffer.from(t.encode(t.fromObject(plain(sample) as object)).finish());
    const ours = enc(sample as never);
    expect(hex(ours)).toBe(hex(theirs));
    expect(plain(dec(theirs))).toEqual(plain(sample));
    const read = t.toObject(t.decode(ours), { longs: String, bytes: Buffer, defaults: false });
    expect(plain(read)).toEqual(plain(sample));
  });

  it('agrees on the empty requests', () => {
    for (const name of ['StatusRequest', 'SnapshotRequest']) {
      const t = type(name);
      expect(t.encode(t.create({})).finish().length).toBe(encodeEmpty().length);
    }
  });
});
