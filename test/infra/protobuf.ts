// Just enough protobuf encoding to write objects the way kube-apiserver
// stores them: the "k8s\0" magic followed by a runtime.Unknown envelope
// (typeMeta, raw) whose raw bytes are the object's own protobuf message.

type Field = [number, 'string' | 'bytes' | 'varint' | 'message', unknown];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Encodes fields in the order given; undefined values are skipped. */
export function message(fields: Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const [num, type, value] of fields) {
    if (value === undefined) continue;
    if (type === 'varint') {
      parts.push(Buffer.from([...varint(num << 3), ...varint(value as number)]));
      continue;
    }
    const bytes =
      type === 'string'
        ? Buffer.from(value as string, 'utf8')
        : type === 'bytes'
          ? (value as Buffer)
          : (value as Buffer);
    parts.push(Buffer.from([...varint((num << 3) | 2), ...varint(bytes.length)]), bytes);
  }
  return Buffer.concat(parts);
}

/** A map<string, string|bytes> field: one entry message per pair, sorted by key as Go does. */
export function mapField(num: number, entries: Record<string, string | Buffer>): Field[] {
  return Object.keys(entries)
    .sort()
    .map((k) => {
      const v = entries[k]!;
      return [
        num,
        'message',
        message([
          [1, 'string', k],
          [2, typeof v === 'string' ? 'string' : 'bytes', v],
        ]),
      ] as Field;
    });
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  creationTimestamp: Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
}

export function objectMeta(m: ObjectMeta): Buffer {
  return message([
    [1, 'string', m.name],
    [3, 'string', m.namespace],
    [5, 'string', m.uid],
    [7, 'varint', m.generation],
    [8, 'message', message([[1, 'varint', Math.floor(m.creationTimestamp.getTime() / 1000)]])],
    ...mapField(11, m.labels ?? {}),
    ...mapField(12, m.annotations ?? {}),
  ]);
}

/** The bytes kube-apiserver writes to etcd for a protobuf-encoded object. */
export function k8sEnvelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = message([
    [1, 'string', apiVersion],
    [2, 'string', kind],
  ]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    message([
      [1, 'message', typeMeta],
      [2, 'bytes', raw],
      [3, 'string', ''],
      [4, 'string', ''],
    ]),
  ]);
}
