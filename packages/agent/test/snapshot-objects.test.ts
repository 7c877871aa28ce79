// `lifeboat snapshot ls | get | export` on small etcd-shaped snapshot files
// written by the independent bbolt builder: what each prints, in which order,
// the failures users see, and that export streams with backpressure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, storedValueField } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildBolt, revisionKey, type Tree } from '../../etcd/test/bbolt-builder.ts';
import { type Io, runCli } from '../src/index.ts';
import { exportSnapshot } from '../src/operations/snapshot-export.ts';
import { getSnapshotKey } from '../src/operations/snapshot-get.ts';
import { listSnapshot } from '../src/operations/snapshot-ls.ts';

// --- values as kube-apiserver stores them --------------------------------------

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
}

function mapEntries(field: number, entries: Record<string, string | Buffer>) {
  return Object.keys(entries)
    .sort()
    .map((k) => ({
      number: field,
      bytes: encode([
        { number: 1, bytes: k },
        { number: 2, bytes: entries[k]! },
      ]),
    }));
}

function objectMeta(m: Meta): Buffer {
  return encode([
    { number: 1, bytes: m.name },
    m.namespace ? { number: 3, bytes: m.namespace } : undefined,
    { number: 5, bytes: m.uid ?? `uid-${m.name}` },
    { number: 8, bytes: encode([{ number: 1, varint: 1767225600 }]) }, // 2026-01-01T00:00:00Z
    ...mapEntries(11, m.labels ?? {}),
  ]);
}

/** "k8s\0" + runtime.Unknown{typeMeta, raw}: kube-apiserver's protobuf storage format. */
function envelope(apiVersion: string, kind: string, body: Buffer): Buffer {
  const typeMeta = encode([
    { number: 1, bytes: apiVersion },
    { number: 2, bytes: kind },
  ]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    encode([
      { number: 1, bytes: typeMeta },
      { number: 2, bytes: body },
    ]),
  ]);
}

function configMap(m: Meta, data: Record<string, string>): Buffer {
  return envelope(
    'v1',
    'ConfigMap',
    Buffer.concat([encode([{ number: 1, bytes: objectMeta(m) }]), encode(mapEntries(2, data))]),
  );
}

function secret(m: Meta, data: Record<string, Buffer>, type: string): Buffer {
  return envelope(
    'v1',
    'Secret',
    Buffer.concat([
      encode([{ number: 1, bytes: objectMeta(m) }]),
      encode(mapEntries(2, data)),
      encode([{ number: 3, bytes: type }]),
    ]),
  );
}

const binary = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x0d]);
const widget = {
  apiVersion: 'example.dev/v1',
  kind: 'Widget',
  metadata: {
    name: 'blue',
    namespace: 'shop',
    uid: 'uid-blue',
    resourceVersion: '5',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { shade: 'dark' },
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  },
  spec: { size: 3, color: 'yes' },
  status: { ready: true },
};
const lease = 0x694d81c1f2a7c404n;
const sealed = Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), binary, Buffer.alloc(40, 0xaa)]);
const nonUtf8Key = Buffer.from([0x2f, 0x78, 0xff, 0xfe]);

type Op = ['put', string | Buffer, Buffer | string, bigint?] | ['del', string];

/** The history of the test snapshot, one revision per op from revision 2. */
const ops: Op[] = [
  ['put', 'compact_rev_key', encode([{ number: 1, varint: 1 }])],
  [
    'put',
    '/registry/configmaps/shop/settings',
    configMap({ name: 'settings', namespace: 'shop' }, { mode: 'old' }),
  ],
  [
    'put',
    '/registry/secrets/shop/creds',
    secret(
      { name: 'creds', namespace: 'shop', labels: { app: 'shop' } },
      { key: binary, user: Buffer.from('admin') },
      'Opaque',
    ),
  ],
  [
    'put',
    '/registry/deployments/shop/web',
    envelope(
      'apps/v1',
      'Deployment',
      encode([{ number: 1, bytes: objectMeta({ name: 'web', namespace: 'shop' }) }]),
    ),
  ],
  ['put', '/registry/example.dev/widgets/shop/blue', `${JSON.stringify(widget)}\n`],
  ['put', '/registry/configmaps/shop/gone', configMap({ name: 'gone', namespace: 'shop' }, { a: 'b' })],
  [
    'put',
    '/registry/configmaps/shop/settings',
    configMap(
      { name: 'settings', namespace: 'shop', labels: { app: 'shop', tier: 'on' } },
      { enabled: 'yes', mode: '0755', 'app.properties': 'replicas=3\nmode=prod\n' },
    ),
  ],
  ['del', '/registry/configmaps/shop/gone'],
  ['put', '/registry/secrets/shop/sealed', sealed],
  [
    'put',
    '/registry/masterleases/127.0.0.1',
    envelope('v1', 'Endpoints', encode([{ number: 1, bytes: objectMeta({ name: 'kubernetes' }) }])),
    lease,
  ],
  ['put', '/registry/configmaps/shop/broken', Buffer.from('k8s\0\x0a\xff', 'latin1')],
  [
    'put',
    '/registry/namespaces/shop',
    envelope('v1', 'Namespace', encode([{ number: 1, bytes: objectMeta({ name: 'shop' }) }])),
  ],
  ['put', nonUtf8Key, 'plain text'],
];

function kvMessage(
  key: string | Buffer,
  value: Buffer | string,
  mod: number,
  create: number,
  version: number,
  leaseId = 0n,
) {
  return encode([
    { number: 1, bytes: key },
    { number: 2, varint: create },
    { number: 3, varint: mod },
    { number: 4, varint: version },
    { number: 5, bytes: value },
    leaseId ? { number: 6, varint: leaseId } : undefined,
  ]);
}

/** An etcd-shaped db (buckets as etcd 3.6 writes them) holding `history`. */
function etcdDb(history: Op[], options: { fanout?: number } = {}): Buffer {
  const keyBucket: Tree = {};
  const state = new Map<string, { create: number; version: number }>();
  history.forEach((op, i) => {
    const rev = i + 2;
    const id = Buffer.from(op[1]).toString('latin1');
    if (op[0] === 'put') {
      const prev = state.get(id);
      const create = prev?.create ?? rev;
      const version = (prev?.version ?? 0) + 1;
      state.set(id, { create, version });
      keyBucket[revisionKey(rev)] = kvMessage(op[1], op[2], rev, create, version, op[3] ?? 0n);
    } else {
      state.delete(id);
      keyBucket[revisionKey(rev, 0, true)] = encode([{ number: 1, bytes: op[1] }]);
    }
  });
  return buildBolt(
    {
      alarm: {},
      auth: { enabled: Buffer.from([0]) },
      key: keyBucket,
      lease: {},
      members: { abc: '{"id":1}' },
      meta: { consistent_index: Buffer.alloc(8, 1), term: Buffer.alloc(8, 2), storageVersion: '3.6.0' },
    },
    { fanout: options.fanout ?? 4 },
  );
}

/** The live keys of `history` with their last value and revisions, as etcd would serve them. */
function liveOf(history: Op[]) {
  const live = new Map<
    string,
    { key: Buffer; value: Buffer; mod: number; create: number; version: number; lease: bigint }
  >();
  history.forEach((op, i) => {
    const rev = i + 2;
    const id = Buffer.from(op[1]).toString('latin1');
    if (op[0] === 'del') {
      live.delete(id);
      return;
    }
    const prev = live.get(id);
    live.set(id, {
      key: Buffer.from(op[1]),
      value: Buffer.from(op[2]),
      mod: rev,
      create: prev?.create ?? rev,
      version: (prev?.version ?? 0) + 1,
      lease: op[3] ?? 0n,
    });
  });
  return live;
}

// --- running the CLI in memory --------------------------------------------------

interface Captured extends Io {
  /** Everything written to stdout, text and bytes, in order. */
  bytes: () => Buffer;
  out: () => string;
  err: () => string;
}

function captureIo(options: { binary?: boolean; onWrite?: (chunk: Buffer) => Promise<void> } = {}): Captured {
  const chunks: Buffer[] = [];
  let err = '';
  const io: Captured = {
    stdout: (text) => {
      chunks.push(Buffer.from(text));
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    bytes: () => Buffer.concat(chunks),
    out: () => Buffer.concat(chunks).toString('utf8'),
    err: () => err,
  };
  if (options.binary !== false) {
    io.writeStdout = async (chunk) => {
      const b = Buffer.from(chunk);
      chunks.push(b);
      await options.onWrite?.(b);
    };
  }
  return io;
}

async function cli(argv: string[], io = captureIo()) {
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err(), bytes: io.bytes() };
}

let dir: string;
let snap: string;
const live = liveOf(ops);
const stored = (key: string) => live.get(Buffer.from(key).toString('latin1'))!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-snapshot-objects-'));
  snap = join(dir, 'snap.db');
  await writeFile(snap, etcdDb(ops));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

// --- snapshot ls ------------------------------------------------------------------

describe('snapshot ls', () => {
  it('prints a table of the live keys sorted by key, deleted keys left out', async () => {
    const { code, out, err } = await cli(['snapshot', 'ls', snap]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RESOURCE +NAMESPACE +NAME +KIND +APIVERSION +SIZE +MODREV +ENCODING +KEY$/);
    const keys = lines.slice(1).map((l) => l.split(/ {2,}/).at(-1));
    const expected = [...live.values()].map((v) => v.key.toString('utf8'));
    expect(keys).toEqual(
      [...live.values()].sort((a, b) => Buffer.compare(a.key, b.key)).map((v) => v.key.toString('utf8')),
    );
    expect(keys).toHaveLength(expected.length);
    expect(out).not.toContain('/registry/configmaps/shop/gone');
    const row = (key: string) => lines.find((l) => l.endsWith(`  ${key}`))!.split(/ {2,}/);
    const settings = stored('/registry/configmaps/shop/settings');
    expect(row('/registry/configmaps/shop/settings')).toEqual([
      'configmaps',
      'shop',
      'settings',
      'ConfigMap',
      'v1',
      String(settings.value.length),
      String(settings.mod),
      'protobuf',
      '/registry/configmaps/shop/settings',
    ]);
    expect(row('/registry/deployments/shop/web').slice(0, 5)).toEqual([
      'deployments.apps',
      'shop',
      'web',
      'Deployment',
      'apps/v1',
    ]);
    expect(row('/registry/example.dev/widgets/shop/blue').slice(0, 5)).toEqual([
      'widgets.example.dev',
      'shop',
      'blue',
      'Widget',
      'example.dev/v1',
    ]);
    expect(row('/registry/example.dev/widgets/shop/blue')[7]).toBe('json');
    expect(row('/registry/secrets/shop/sealed').slice(0, 5)).toEqual(['secrets', 'shop', 'sealed', '-', '-']);
    expect(row('/registry/secrets/shop/sealed')[7]).toBe('encrypted:aescbc:key1');
    expect(row('/registry/namespaces/shop').slice(0, 4)).toEqual(['namespaces', '-', 'shop', 'Namespace']);
    expect(row('compact_rev_key').slice(0, 3)).toEqual(['(internal)', '-', '-']);
    expect(row('/registry/masterleases/127.0.0.1').slice(0, 3)).toEqual(['(internal)', '-', '127.0.0.1']);
    expect(row('/registry/configmaps/shop/broken')[7]).toBe('protobuf!');
    // One damaged value is listed, not fatal, and counted on stderr.
    expect(err).toBe(
      'lifeboat: warning: 1 value could not be decoded (ENCODING ends in "!"; the error is in -o json)\n',
    );
  });

  it('sorts the table by key bytes: a prefix first, astral characters after U+E000, as etcd does', async () => {
    const keys = ['/k/\u{1F600}', '/k/\uE000', '/k/a', '/k/', '/k/ab', '/k/\u00e9'];
    const file = await fileWith('byte-order.db', etcdDb(keys.map((k): Op => ['put', k, 'v'])));
    const { code, out } = await cli(['snapshot', 'ls', file]);
    expect(code).toBe(0);
    const listed = out
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ {2,}/).at(-1));
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(listed).toEqual(byBytes);
    // UTF-16 order would put the emoji (a surrogate pair, 0xD83D…) before U+E000: not etcd's order.
    expect(byBytes.indexOf('/k/\uE000')).toBeLessThan(byBytes.indexOf('/k/\u{1F600}'));
  });

  it('-o json: an array sorted by key with summaries and revisions', async () => {
    const { code, out } = await cli(['snapshot', 'ls', snap, '-o', 'json']);
    expect(code).toBe(0);
    const entries = JSON.parse(out) as Record<string, unknown>[];
    expect(entries.map((e) => e['key'])).toEqual(
      [...entries.map((e) => e['key'])].sort((a, b) =>
        Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)),
      ),
    );
    const byKey = new Map(entries.map((e) => [e['key'], e]));
    const settings = stored('/registry/configmaps/shop/settings');
    expect(byKey.get('/registry/configmaps/shop/settings')).toEqual({
      key: '/registry/configmaps/shop/settings',
      type: 'object',
      resource: 'configmaps',
      group: '',
      namespace: 'shop',
      name: 'settings',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      size: settings.value.length,
      encoding: 'protobuf',
      createRevision: settings.create,
      modRevision: settings.mod,
      version: 2,
    });
    expect(settings.create).toBeLessThan(settings.mod);
    expect(byKey.get('/registry/secrets/shop/sealed')).toMatchObject({
      encoding: 'encrypted',
      provider: 'aescbc',
      keyName: 'key1',
    });
    expect(byKey.get('/registry/masterleases/127.0.0.1')).toMatchObject({
      type: 'internal',
      lease: '694d81c1f2a7c404',
    });
    expect(byKey.get('/registry/configmaps/shop/broken')!['error']).toMatch(/^integrity: /);
    expect(byKey.get('/registry/configmaps/shop/settings')).not.toHaveProperty('lease');
  });

  it('-o jsonl streams the same entries in modification order', async () => {
    const json = JSON.parse((await cli(['snapshot', 'ls', snap, '-o', 'json'])).out) as { key: string }[];
    const { code, out } = await cli(['snapshot', 'ls', snap, '-o', 'jsonl']);
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; modRevision: number });
    const mods = lines.map((l) => l.modRevision);
    expect(mods).toEqual([...mods].sort((a, b) => a - b));
    expect([...lines].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))).toEqual(json);
  });

  it('--prefix lists only keys under it; --etcd-prefix reads keys of another apiserver prefix', async () => {
    const { out } = await cli(['snapshot', 'ls', snap, '--prefix', '/registry/secrets/', '-o', 'json']);
    expect((JSON.parse(out) as { key: string }[]).map((e) => e.key)).toEqual([
      '/registry/secrets/shop/creds',
      '/registry/secrets/shop/sealed',
    ]);
    const custom = await fileWith(
      'custom-prefix.db',
      etcdDb([
        ['put', '/cluster-a/registry/configmaps/x/y', configMap({ name: 'y', namespace: 'x' }, { a: 'b' })],
      ]),
    );
    const plain = JSON.parse((await cli(['snapshot', 'ls', custom, '-o', 'json'])).out) as { type: string }[];
    expect(plain.map((e) => e.type)).toEqual(['other']);
    const read = JSON.parse(
      (await cli(['snapshot', 'ls', custom, '--etcd-prefix', '/cluster-a/registry', '-o', 'json'])).out,
    ) as Record<string, unknown>[];
    expect(read[0]).toMatchObject({ type: 'object', resource: 'configmaps', namespace: 'x', name: 'y' });
  });

  it('an empty db lists nothing', async () => {
    const empty = await fileWith('empty.db', buildBolt({ meta: {} }));
    expect(await cli(['snapshot', 'ls', empty, '-o', 'json'])).toMatchObject({
      code: 0,
      out: '[]\n',
      err: '',
    });
  });
});

// --- errors every reading command shares ---------------------------------------

describe('damaged and missing files', () => {
  const commands = [
    ['snapshot', 'ls'],
    ['snapshot', 'get', '{file}', '/registry/configmaps/shop/settings'],
    ['snapshot', 'export'],
  ];
  const argv = (command: string[], file: string) =>
    command.includes('{file}') ? command.map((a) => (a === '{file}' ? file : a)) : [...command, file];

  it.each(commands)('%s %s: a missing FILE is not-found, one line, exit 1', async (...command) => {
    const missing = join(dir, 'no-such.db');
    expect(await cli(argv(command, missing))).toMatchObject({
      code: 1,
      out: '',
      err: `lifeboat: not-found: ${missing} does not exist\n`,
    });
  });

  it.each(commands)('%s %s: a file that is not bbolt fails with an integrity error', async (...command) => {
    const junk = await fileWith('junk.db', Buffer.from('this is not a database\n'.repeat(400)));
    const result = await cli(argv(command, junk));
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^lifeboat: integrity: [^\n]*junk\.db[^\n]*\n$/);
  });

  it.each(commands)('%s %s: a truncated snapshot fails with an integrity error', async (...command) => {
    const bytes = await readFile(snap);
    const cut = await fileWith('cut.db', bytes.subarray(0, bytes.length - 4096 - 32));
    const result = await cli(argv(command, cut));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^lifeboat: integrity: [^\n]*cut\.db[^\n]*truncated[^\n]*\n$/);
  });

  it.each(commands)(
    '%s %s: a value changed after the save fails the sha256 check; --skip-hash-check reads it',
    async (...command) => {
      const bytes = Buffer.from(await readFile(snap));
      const at = bytes.indexOf('replicas=3');
      expect(at).toBeGreaterThan(0);
      bytes.write('replicas=9', at, 'latin1');
      const tampered = await fileWith('tampered.db', bytes);
      const result = await cli(argv(command, tampered));
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /^lifeboat: integrity: [^\n]*tampered\.db is damaged: its sha256 trailer [^\n]*\n$/,
      );
      const skipped = await cli([...argv(command, tampered), '--skip-hash-check']);
      expect(skipped.code).toBe(0);
      if (command[1] !== 'ls') expect(skipped.out).toContain('replicas=9');
    },
  );

  it.each([
    [['snapshot', 'ls'], '"lifeboat snapshot ls" needs the snapshot FILE; see "lifeboat snapshot ls --help"'],
    [
      ['snapshot', 'get', 'f.db'],
      '"lifeboat snapshot get" needs the KEY; see "lifeboat snapshot get --help"',
    ],
    [
      ['snapshot', 'export', 'a', 'b'],
      '"lifeboat snapshot export" takes snapshot FILE, got 2 arguments; see "lifeboat snapshot export --help"',
    ],
    [['snapshot', 'ls', 'f.db', '-o', 'yaml'], '-o yaml is not supported here; use table or json or jsonl'],
    [
      ['snapshot', 'get', 'f.db', 'k', '-o', 'table'],
      '-o table is not supported here; use yaml or json or raw',
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    expect(await cli(args)).toMatchObject({ code: 2, out: '', err: `lifeboat: usage: ${message}\n` });
  });
});

// --- snapshot get ----------------------------------------------------------------

describe('snapshot get', () => {
  it('prints a ConfigMap as YAML to apply: its latest data and labels, no server fields', async () => {
    const { code, out, err } = await cli(['snapshot', 'get', snap, '/registry/configmaps/shop/settings']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(parse(out, { version: '1.1' })).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop', labels: { app: 'shop', tier: 'on' } },
      data: { enabled: 'yes', mode: '0755', 'app.properties': 'replicas=3\nmode=prod\n' },
    });
    expect(out).not.toMatch(/uid|creationTimestamp/);
  });

  it('prints a Secret as JSON with its bytes in base64', async () => {
    const { code, out } = await cli(['snapshot', 'get', snap, '/registry/secrets/shop/creds', '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'shop', labels: { app: 'shop' } },
      data: { key: binary.toString('base64'), user: Buffer.from('admin').toString('base64') },
      type: 'Opaque',
    });
  });

  it('prints a JSON-stored custom resource without status and server metadata', async () => {
    const { out } = await cli(['snapshot', 'get', snap, '/registry/example.dev/widgets/shop/blue']);
    expect(parse(out, { version: '1.1' })).toEqual({
      apiVersion: 'example.dev/v1',
      kind: 'Widget',
      metadata: { name: 'blue', namespace: 'shop', labels: { shade: 'dark' } },
      spec: { size: 3, color: 'yes' },
    });
  });

  it('prints other protobuf kinds with full metadata and the stored bytes', async () => {
    const { code, out } = await cli(['snapshot', 'get', snap, '/registry/deployments/shop/web']);
    expect(code).toBe(0);
    expect(out).toMatch(/^# Deployment \(apps\/v1\) is stored as protobuf/);
    const doc = parse(out) as Record<string, unknown> & { metadata: Record<string, unknown> };
    expect(doc.metadata).toMatchObject({ name: 'web', namespace: 'shop', uid: 'uid-web' });
    const value = (doc[storedValueField] as { base64: string }).base64;
    expect(Buffer.from(value, 'base64').equals(stored('/registry/deployments/shop/web').value)).toBe(true);
  });

  it('-o raw writes the exact stored bytes, binary and all', async () => {
    for (const key of ['/registry/secrets/shop/creds', '/registry/secrets/shop/sealed']) {
      const { code, bytes, err } = await cli(['snapshot', 'get', snap, key, '-o', 'raw']);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(bytes.equals(stored(key).value)).toBe(true);
    }
  });

  it('-o raw refuses an Io without a binary stdout rather than re-encoding the bytes', async () => {
    const io = captureIo({ binary: false });
    const result = await cli(['snapshot', 'get', snap, '/registry/secrets/shop/creds', '-o', 'raw'], io);
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toMatch(/^lifeboat: usage: -o raw needs a binary stdout/);
  });

  it('a value encrypted at rest is a crypto error naming the key and the provider', async () => {
    expect(await cli(['snapshot', 'get', snap, '/registry/secrets/shop/sealed'])).toMatchObject({
      code: 1,
      out: '',
      err: "lifeboat: crypto: /registry/secrets/shop/sealed: value is encrypted at rest (aescbc v1, key 'key1'); lifeboat does not decrypt it — export it raw instead\n",
    });
  });

  it.each([
    ['/registry/configmaps/shop/gone', '/registry/configmaps/shop/'],
    ['/registry/configmaps/shop/setting', '/registry/configmaps/shop/'],
    ['/registry/nothing', '/registry/'],
    ['secrets/shop/creds', '/registry/'],
  ])(
    '%s (deleted, a prefix of a key, or absent) is not-found, suggesting ls --prefix',
    async (key, parent) => {
      expect(await cli(['snapshot', 'get', snap, key])).toEqual({
        code: 1,
        out: '',
        err: `lifeboat: not-found: no live key "${key}" in ${snap} (never written, or deleted before the snapshot); list the keys with "lifeboat snapshot ls ${snap} --prefix ${parent}"\n`,
        bytes: Buffer.alloc(0),
      });
    },
  );

  it('--keep-owner-references keeps them', async () => {
    const owned = envelope(
      'v1',
      'ConfigMap',
      encode([
        {
          number: 1,
          bytes: Buffer.concat([
            objectMeta({ name: 'owned', namespace: 'x' }),
            // ownerReferences = 13: {kind = 1, name = 3, uid = 4, apiVersion = 5}
            encode([
              {
                number: 13,
                bytes: encode([
                  { number: 1, bytes: 'Deployment' },
                  { number: 3, bytes: 'web' },
                  { number: 4, bytes: 'u-1' },
                  { number: 5, bytes: 'apps/v1' },
                ]),
              },
            ]),
          ]),
        },
      ]),
    );
    const file = await fileWith('owned.db', etcdDb([['put', '/registry/configmaps/x/owned', owned]]));
    const plain = parse((await cli(['snapshot', 'get', file, '/registry/configmaps/x/owned'])).out);
    expect(plain.metadata.ownerReferences).toBeUndefined();
    const kept = parse(
      (await cli(['snapshot', 'get', file, '/registry/configmaps/x/owned', '--keep-owner-references'])).out,
    );
    expect(kept.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-1' },
    ]);
  });

  it('getSnapshotKey returns the KeyValue with its revisions', async () => {
    const kv = await getSnapshotKey(snap, '/registry/masterleases/127.0.0.1');
    const want = stored('/registry/masterleases/127.0.0.1');
    expect({ ...kv, key: kv.key.toString(), value: kv.value.equals(want.value) }).toEqual({
      key: '/registry/masterleases/127.0.0.1',
      value: true,
      createRevision: want.create,
      modRevision: want.mod,
      version: 1,
      lease,
    });
  });
});

// --- snapshot export --------------------------------------------------------------

interface Record_ {
  key: string;
  keyBase64?: string;
  value?: string;
  tombstone?: true;
  createRevision?: number;
  modRevision: number;
  version?: number;
  lease?: string;
  encoding?: string;
  object?: { metadata: Record<string, unknown> } & Record<string, unknown>;
  partial?: true;
  error?: string;
}

function records(out: string): Record_[] {
  expect(out.endsWith('\n')).toBe(true);
  return out
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record_);
}

describe('snapshot export', () => {
  it('writes one JSON line per live key: value, object, revisions, lease, in revision order', async () => {
    const { code, out, err } = await cli(['snapshot', 'export', snap]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = records(out);
    expect(lines).toHaveLength(live.size);
    expect(lines.map((l) => l.modRevision)).toEqual(
      [...live.values()].map((v) => v.mod).sort((a, b) => a - b),
    );
    for (const line of lines) {
      const exact = line.keyBase64 ? Buffer.from(line.keyBase64, 'base64') : Buffer.from(line.key);
      const want = live.get(exact.toString('latin1'))!;
      expect(want, line.key).toBeDefined();
      expect(Buffer.from(line.value!, 'base64').equals(want.value), line.key).toBe(true);
      expect([line.createRevision, line.modRevision, line.version]).toEqual([
        want.create,
        want.mod,
        want.version,
      ]);
    }
    const byKey = new Map(lines.map((l) => [l.key, l]));
    // The object as stored: server-managed fields too (this is a backup, not a manifest).
    expect(byKey.get('/registry/configmaps/shop/settings')!.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings',
        namespace: 'shop',
        uid: 'uid-settings',
        creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { app: 'shop', tier: 'on' },
      },
      data: { enabled: 'yes', mode: '0755', 'app.properties': 'replicas=3\nmode=prod\n' },
    });
    expect(byKey.get('/registry/example.dev/widgets/shop/blue')).toMatchObject({
      encoding: 'json',
      object: widget,
    });
    expect(byKey.get('/registry/deployments/shop/web')).toMatchObject({
      encoding: 'protobuf',
      partial: true,
      object: { kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
    });
    const sealedLine = byKey.get('/registry/secrets/shop/sealed')!;
    expect(sealedLine.encoding).toBe('encrypted');
    expect(sealedLine).not.toHaveProperty('object');
    expect(byKey.get('/registry/configmaps/shop/broken')!.error).toMatch(/^integrity: /);
    expect(byKey.get('/registry/masterleases/127.0.0.1')!.lease).toBe('694d81c1f2a7c404');
    expect(byKey.get('/registry/configmaps/shop/settings')).not.toHaveProperty('lease');
    const odd = lines.find((l) => l.keyBase64)!;
    expect(Buffer.from(odd.keyBase64!, 'base64').equals(nonUtf8Key)).toBe(true);
    expect(lines.filter((l) => l.keyBase64)).toHaveLength(1);
  });

  it('--prefix exports only the keys under it', async () => {
    const lines = records((await cli(['snapshot', 'export', snap, '--prefix', '/registry/configmaps/'])).out);
    expect(lines.map((l) => l.key).sort()).toEqual([
      '/registry/configmaps/shop/broken',
      '/registry/configmaps/shop/settings',
    ]);
  });

  it('--all-revisions exports every write and deletion, oldest first', async () => {
    const lines = records((await cli(['snapshot', 'export', snap, '--all-revisions'])).out);
    expect(lines).toHaveLength(ops.length);
    expect(lines.map((l) => l.modRevision)).toEqual(ops.map((_, i) => i + 2));
    expect(lines.filter((l) => l.tombstone)).toEqual([
      { key: '/registry/configmaps/shop/gone', tombstone: true, modRevision: 9 },
    ]);
    const settings = lines.filter((l) => l.key === '/registry/configmaps/shop/settings');
    expect(settings.map((l) => [l.version, l.object!['data']])).toEqual([
      [1, { mode: 'old' }],
      [2, { enabled: 'yes', mode: '0755', 'app.properties': 'replicas=3\nmode=prod\n' }],
    ]);
    const some = records(
      (await cli(['snapshot', 'export', snap, '--all-revisions', '--prefix', '/registry/configmaps/shop/g']))
        .out,
    );
    expect(some.map((l) => [l.key, l.tombstone ?? false])).toEqual([
      ['/registry/configmaps/shop/gone', false],
      ['/registry/configmaps/shop/gone', true],
    ]);
  });

  it('waits for each write before reading on, in chunks of bounded size', async () => {
    const many: Op[] = Array.from({ length: 3000 }, (_, i) => [
      'put',
      `/registry/configmaps/bulk/cm-${i}`,
      configMap({ name: `cm-${i}`, namespace: 'bulk' }, { payload: 'x'.repeat(500) }),
    ]);
    const file = await fileWith('bulk.db', etcdDb(many, { fanout: 32 }));
    let pending = 0;
    let overlapped = false;
    let largest = 0;
    let writes = 0;
    const io = captureIo({
      onWrite: async (chunk) => {
        if (pending > 0) overlapped = true;
        pending++;
        writes++;
        largest = Math.max(largest, chunk.length);
        await new Promise((r) => setTimeout(r, 1));
        pending--;
      },
    });
    const { code, out } = await cli(['snapshot', 'export', file], io);
    expect(code).toBe(0);
    expect(records(out)).toHaveLength(3000);
    expect(out.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(overlapped).toBe(false);
    expect(writes).toBeGreaterThan(20);
    expect(largest).toBeLessThan(64 * 1024 + 4096);
  });

  it('the library stops reading and closes the file when the consumer stops early', async () => {
    const first: string[] = [];
    for await (const record of exportSnapshot(snap)) {
      first.push(record.key);
      if (first.length === 2) break;
    }
    expect(first).toEqual(['compact_rev_key', '/registry/secrets/shop/creds']);
    // listSnapshot agrees with the CLI's table order.
    expect((await listSnapshot(snap, { prefix: '/registry/s' })).map((e) => e.key)).toEqual([
      '/registry/secrets/shop/creds',
      '/registry/secrets/shop/sealed',
    ]);
  });
});

// --- as a real process: binary stdout, a pipe that is full, a pipe that closes --

describe('node src/cli.ts', () => {
  const cliPath = join(import.meta.dirname, '..', 'src', 'cli.ts');

  it('writes -o raw bytes to a real stdout unchanged', () => {
    const result = spawnSync(process.execPath, [
      cliPath,
      'snapshot',
      'get',
      snap,
      '/registry/secrets/shop/sealed',
      '-o',
      'raw',
    ]);
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.equals(sealed)).toBe(true);
  });

  it('exports through a slow pipe completely, and stops with an error when the reader goes away', async () => {
    const many: Op[] = Array.from({ length: 4000 }, (_, i) => [
      'put',
      `/registry/configmaps/bulk/cm-${i}`,
      configMap({ name: `cm-${i}`, namespace: 'bulk' }, { payload: 'y'.repeat(1000) }),
    ]);
    const file = await fileWith('pipe.db', etcdDb(many, { fanout: 32 }));

    // A reader that pauses: the writer has to wait for 'drain' and still deliver every line.
    const slow = spawn(process.execPath, [cliPath, 'snapshot', 'export', file]);
    const chunks: Buffer[] = [];
    slow.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      slow.stdout.pause();
      setTimeout(() => slow.stdout.resume(), 2);
    });
    const code = await new Promise<number | null>((r) => slow.on('close', r));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString().trimEnd().split('\n')).toHaveLength(4000);

    // A reader that closes after the first chunk (`| head -1`): exit 1, no hang.
    const closing = spawn(process.execPath, [cliPath, 'snapshot', 'export', file]);
    let stderr = '';
    closing.stderr.on('data', (d) => (stderr += d));
    closing.stdout.once('data', () => closing.stdout.destroy());
    const closed = await new Promise<number | null>((r) => closing.on('close', r));
    expect(closed).toBe(1);
    expect(stderr).toBe('lifeboat: io: stdout was closed before all output was written\n');
  });
});
