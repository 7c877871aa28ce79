import { isLifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { decodeObject, decodeValue, fullyDecodedKinds } from '../src/kubernetes/index.ts';
import { encode, type WriteField } from '../src/protobuf/wire.ts';

const bytes = (number: number, value: Uint8Array | string): WriteField => ({ number, bytes: value });
const entry = (number: number, key: string, value?: Uint8Array | string) =>
  bytes(number, encode([bytes(1, key), value === undefined ? undefined : bytes(2, value)]));

/** "k8s\0" + runtime.Unknown, as kube-apiserver's protobuf serializer writes it. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: WriteField[] = []): Buffer {
  const typeMeta = encode([bytes(1, apiVersion), bytes(2, kind)]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    encode([bytes(1, typeMeta), bytes(2, raw), ...extra]),
  ]);
}

const time = (seconds: bigint | number) => encode([{ number: 1, varint: BigInt(seconds) }]);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('decodeValue', () => {
  it('reads every ObjectMeta field by its number', () => {
    const meta = encode([
      bytes(1, 'web'),
      bytes(2, 'web-'),
      bytes(3, 'shop'),
      bytes(4, '/api/v1/x'),
      bytes(5, 'uid-1'),
      bytes(6, '42'),
      { number: 7, varint: 3 },
      bytes(8, time(1_767_225_600)), // 2026-01-01T00:00:00Z
      bytes(
        9,
        encode([
          { number: 1, varint: 1_767_225_660 },
          { number: 2, varint: 999 },
        ]),
      ),
      { number: 10, varint: 30 },
      entry(11, 'app', 'web'),
      entry(11, 'tier', 'front'),
      entry(12, 'note', 'hi'),
      bytes(
        13,
        encode([
          bytes(1, 'ReplicaSet'),
          bytes(3, 'web-1'),
          bytes(4, 'uid-0'),
          bytes(5, 'apps/v1'),
          { number: 6, varint: true },
          { number: 7, varint: false },
        ]),
      ),
      bytes(14, 'example.dev/a'),
      bytes(14, 'example.dev/b'),
      { number: 15, varint: 7 }, // a field this decoder does not know is skipped
      bytes(
        17,
        encode([
          bytes(1, 'kubectl'),
          bytes(2, 'Apply'),
          bytes(3, 'v1'),
          bytes(4, time(1_767_225_600)),
          bytes(6, 'FieldsV1'),
          bytes(7, encode([bytes(1, '{"f:data":{}}')])),
          bytes(8, 'status'),
        ]),
      ),
    ]);
    const value = envelope('v1', 'ConfigMap', encode([bytes(1, meta)]));
    expect(decodeValue(value)).toMatchObject({
      encoding: 'protobuf',
      size: value.length,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web',
        generateName: 'web-',
        namespace: 'shop',
        selfLink: '/api/v1/x',
        uid: 'uid-1',
        resourceVersion: '42',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        deletionTimestamp: '2026-01-01T00:01:00Z',
        deletionGracePeriodSeconds: 30,
        labels: { app: 'web', tier: 'front' },
        annotations: { note: 'hi' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-1',
            uid: 'uid-0',
            controller: true,
            blockOwnerDeletion: false,
          },
        ],
        finalizers: ['example.dev/a', 'example.dev/b'],
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            apiVersion: 'v1',
            time: '2026-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': {} },
            subresource: 'status',
          },
        ],
      },
    });
  });

  it('leaves out what Go writes empty into protobuf but omits from JSON', () => {
    const meta = encode([
      bytes(1, 'x'),
      bytes(2, ''),
      bytes(3, ''),
      bytes(4, ''),
      { number: 7, varint: 0 },
      // Go's zero time (year 1) and an empty Time message both mean "unset".
      bytes(8, time(-62_135_596_800n)),
      bytes(9, new Uint8Array(0)),
      bytes(17, encode([bytes(1, 'm'), bytes(8, '')])),
    ]);
    expect(decodeValue(envelope('v1', 'Namespace', encode([bytes(1, meta)]))).metadata).toEqual({
      name: 'x',
      managedFields: [{ manager: 'm' }],
    });
  });

  it('keeps a zero deletionGracePeriodSeconds (a pointer in Go, so 0 is meaningful)', () => {
    const meta = encode([bytes(1, 'x'), { number: 10, varint: 0 }]);
    expect(decodeValue(envelope('v1', 'Pod', encode([bytes(1, meta)]))).metadata).toEqual({
      name: 'x',
      deletionGracePeriodSeconds: 0,
    });
  });

  it('reads JSON-stored objects (custom resources, CRDs, APIServices)', () => {
    const doc = {
      apiVersion: 'example.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'n' },
      spec: { a: 1 },
    };
    const value = Buffer.from(`${JSON.stringify(doc)}\n`);
    expect(decodeValue(value)).toEqual({
      encoding: 'json',
      size: value.length,
      apiVersion: 'example.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'n' },
      json: doc,
    });
  });

  it.each([
    ['compact_rev_key’s revision number', '1234'],
    ['an empty value', ''],
    ['text', 'hello'],
    ['a JSON array', '[1,2]'],
  ])('classifies %s as unknown', (_what, text) => {
    expect(decodeValue(Buffer.from(text))).toEqual({ encoding: 'unknown', size: text.length });
  });

  it.each([
    [
      'a truncated envelope',
      envelope('v1', 'ConfigMap', encode([bytes(1, encode([bytes(1, 'x')]))])).subarray(0, 12),
    ],
    ['an envelope without kind', Buffer.concat([Buffer.from('k8s\0', 'latin1'), encode([bytes(2, 'x')])])],
    [
      'an envelope without object bytes',
      Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        encode([bytes(1, encode([bytes(1, 'v1'), bytes(2, 'X')]))]),
      ]),
    ],
    ['a compressed envelope', envelope('v1', 'ConfigMap', new Uint8Array(0), [bytes(3, 'gzip')])],
    [
      'a string field with a varint',
      envelope('v1', 'ConfigMap', encode([bytes(1, encode([{ number: 1, varint: 5 }]))])),
    ],
    [
      'a label entry past the end',
      envelope('v1', 'ConfigMap', encode([bytes(1, Buffer.from([0x5a, 0x09, 0x0a]))])),
    ],
    [
      'a timestamp beyond any calendar',
      envelope('v1', 'ConfigMap', encode([bytes(1, encode([bytes(8, time(2n ** 62n))]))])),
    ],
    [
      'managedFields whose fieldsV1 is not JSON',
      envelope(
        'v1',
        'ConfigMap',
        encode([bytes(1, encode([bytes(17, encode([bytes(7, encode([bytes(1, '{')]))]))]))]),
      ),
    ],
    ['truncated JSON', Buffer.from('{"apiVersion":"v1","kind":')],
  ])('rejects %s as an integrity error', (_what, value) => {
    const err = thrown(() => decodeValue(value));
    expect(isLifeboatError(err, 'integrity'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /malformed|no apiVersion|no object bytes|not supported|out of range/,
    );
  });
});

describe('decodeObject', () => {
  const meta = encode([bytes(1, 'cfg'), bytes(3, 'shop')]);

  it('decodes a ConfigMap in full (data = 2, binaryData = 3, immutable = 4)', () => {
    const raw = encode([
      bytes(1, meta),
      entry(2, 'a.conf', 'x = 1\n'),
      entry(2, 'empty'), // an entry without value is the empty string
      entry(3, 'blob', Buffer.from([0, 255])),
      { number: 4, varint: true },
    ]);
    expect(decodeObject(envelope('v1', 'ConfigMap', raw))).toEqual({
      encoding: 'protobuf',
      complete: true,
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: 'shop' },
        immutable: true,
        data: { 'a.conf': 'x = 1\n', empty: '' },
        binaryData: { blob: 'AP8=' },
      },
    });
  });

  it('decodes a Secret in full (data = 2 as base64, type = 3, stringData = 4, immutable = 5)', () => {
    const raw = encode([
      bytes(1, meta),
      entry(2, 'password', Buffer.from([0xde, 0xad, 0xbe, 0xef])),
      bytes(3, 'kubernetes.io/basic-auth'),
      entry(4, 'username', 'admin'),
      { number: 5, varint: false },
    ]);
    expect(decodeObject(envelope('v1', 'Secret', raw)).object).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cfg', namespace: 'shop' },
      immutable: false,
      data: { password: '3q2+7w==' },
      stringData: { username: 'admin' },
      type: 'kubernetes.io/basic-auth',
    });
  });

  it('leaves out an empty Secret type and empty maps', () => {
    const raw = encode([bytes(1, meta), bytes(3, '')]);
    expect(decodeObject(envelope('v1', 'Secret', raw)).object).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cfg', namespace: 'shop' },
    });
  });

  it('gives other protobuf kinds their metadata and says the body was not decoded', () => {
    const raw = encode([bytes(1, meta), bytes(2, 'spec bytes')]);
    expect(decodeObject(envelope('apps/v1', 'Deployment', raw))).toEqual({
      encoding: 'protobuf',
      complete: false,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cfg', namespace: 'shop' } },
    });
    // Same kind name in another group is not a core ConfigMap.
    expect(decodeObject(envelope('example.dev/v1', 'ConfigMap', raw)).complete).toBe(false);
    expect(fullyDecodedKinds).toEqual(['v1/ConfigMap', 'v1/Secret']);
  });

  it('passes JSON objects through unchanged', () => {
    const doc = {
      apiVersion: 'example.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 3 },
      status: {},
    };
    expect(decodeObject(Buffer.from(JSON.stringify(doc)))).toEqual({
      encoding: 'json',
      complete: true,
      object: doc,
    });
  });

  it('refuses JSON without apiVersion/kind, encrypted values and unknown values, each with its own code', () => {
    expect(
      isLifeboatError(
        thrown(() => decodeObject(Buffer.from('{"a":1}'))),
        'integrity',
      ),
    ).toBe(true);
    const encrypted = thrown(() => decodeObject(Buffer.from('k8s:enc:aescbc:v1:key1:\x01\x02')));
    expect(isLifeboatError(encrypted, 'crypto')).toBe(true);
    expect((encrypted as Error).message).toContain("aescbc v1, key 'key1'");
    expect(
      isLifeboatError(
        thrown(() => decodeObject(Buffer.from('42'))),
        'usage',
      ),
    ).toBe(true);
  });

  it('rejects a damaged ConfigMap body', () => {
    const raw = Buffer.concat([encode([bytes(1, meta)]), Buffer.from([0x12, 0x20, 0x0a])]);
    // The envelope frames raw correctly, but field 2 inside it runs past its end.
    expect(
      isLifeboatError(
        thrown(() => decodeObject(envelope('v1', 'ConfigMap', raw))),
        'integrity',
      ),
    ).toBe(true);
  });
});
