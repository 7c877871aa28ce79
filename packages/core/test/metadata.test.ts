import { describe, expect, it } from 'vitest';
import { type BackupMetadata, metadataFormat, parseMetadata, serializeMetadata } from '../src/index.ts';

const good: BackupMetadata = {
  format: metadataFormat,
  id: '20261121T143005Z',
  cluster: 'prod',
  node: 'cp-1',
  created: '2026-11-21T14:30:05.000Z',
  finished: '2026-11-21T14:30:41.000Z',
  agentVersion: '0.1.0',
  etcd: {
    endpoint: 'https://127.0.0.1:2379',
    serverVersion: '3.6.16',
    revision: 48213,
    dbSize: 25_165_824,
    memberId: '8e9e05c52164694d',
    clusterId: 'cdf818194e3a8c32',
    snapshotSha256: 'a'.repeat(64),
  },
  payload: {
    key: 'prod/cp-1/20261121T143005Z.tar.zst.pgp',
    size: 4_200_000,
    sha256: 'b'.repeat(64),
    compression: 'zstd',
    recipients: ['0123456789ABCDEF0123456789ABCDEF01234567'],
    signer: '89ABCDEF0123456789ABCDEF0123456789ABCDEF',
  },
  kubernetes: { files: 42, bytes: 123_456 },
};

describe('backup metadata', () => {
  it('round-trips through its serialized form', () => {
    expect(parseMetadata(JSON.parse(serializeMetadata(good).toString()), 'x.json')).toEqual(good);
  });

  it.each([
    ['format', { ...good, format: 'lifeboat.backup/v9' }, /field "format"/],
    ['id', { ...good, id: 'yesterday' }, /id\/cluster\/node/],
    ['node', { ...good, node: '../etc' }, /node name/],
    ['revision', { ...good, etcd: { ...good.etcd, revision: -1 } }, /etcd.revision/],
    ['sha', { ...good, payload: { ...good.payload, sha256: 'xyz' } }, /payload.sha256/],
    ['recipients', { ...good, payload: { ...good.payload, recipients: [] } }, /payload.recipients/],
    ['compression', { ...good, payload: { ...good.payload, compression: 'lz4' } }, /payload.compression/],
    ['kubernetes', { ...good, kubernetes: undefined }, /field "kubernetes" is not an object/],
  ])('refuses a bad %s, naming the field', (_name, value, reason) => {
    expect(() => parseMetadata(value, 'prod/cp-1/x.json')).toThrow(reason);
  });
});
