import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillEtcd } from '../infra/data.ts';
import { type EtcdCluster, startEtcd } from '../infra/etcd.ts';
import {
  expectOneLineError,
  type Keys,
  keyFlags,
  lifeboat,
  lifeboatOk,
  listStore,
  makeKeys,
} from './backup-helpers.ts';

describe('lifeboat drill: a backup restored into a throwaway etcd', () => {
  let etcd: EtcdCluster;
  let dir: string;
  let keys: Keys;
  let store: string;
  let id: string;
  beforeAll(async () => {
    etcd = await startEtcd({ version: '3.6' });
    await fillEtcd(etcd, { targetBytes: 4 * 1024 * 1024 });
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-drill-e2e-'));
    keys = await makeKeys(join(dir, 'keys'));
    store = `file://${join(dir, 'store')}`;
    const tree = etcd.members[0]!.tree.dir;
    await lifeboatOk([
      'backup',
      '--store',
      store,
      '--cluster',
      'e2e',
      '--node',
      'cp-1',
      '--kubernetes-dir',
      tree,
      ...keyFlags(keys),
    ]);
    id = (await listStore(store))[0]!.id;
  });
  afterAll(async () => {
    await etcd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const drillFlags = () => [
    '--key',
    keys.recipients[0]!.key,
    '--etcd',
    etcd.bin.etcd,
    '--etcdutl',
    etcd.bin.etcdutl!,
    '-o',
    'json',
  ];

  it('passes: etcd serves the revision, key count and sampled values the file holds', async () => {
    const live = Number(
      /"Count" : (\d+)/.exec(
        await etcd.etcdctl(['get', '', '--prefix', '--count-only', '-w', 'fields']),
      )?.[1],
    );
    const r = await lifeboatOk(['drill', '--store', store, id, ...drillFlags()]);
    const report = JSON.parse(r.out) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.ok).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual([
      'fetch',
      'snapshot',
      'etcdutl restore',
      'revision',
      'keys',
      'values',
    ]);
    expect(byName['keys']!.detail).toBe(`etcd serves ${live} keys; the file holds ${live}`);
    expect(byName['values']!.detail).toMatch(/^25 of 25 sampled values identical$/);
    // Nothing is left behind in the temp folder.
    expect(
      (await readdir(tmpdir())).filter((f) => f.startsWith('lifeboat-drill-') && !dir.endsWith(f)),
    ).toEqual([]);
  });

  it('names the binary it cannot run', async () => {
    const r = await lifeboat([
      'drill',
      '--store',
      store,
      id,
      '--key',
      keys.recipients[0]!.key,
      '--etcdutl',
      '/nonexistent/etcdutl',
    ]);
    expect(r.code).toBe(1);
    expectOneLineError(r.err, /cannot run \/nonexistent\/etcdutl: ENOENT; pass its path with --etcdutl/);
  });
  it('fails loudly, exit 1, when the payload is damaged', async () => {
    const backup = (await listStore(store))[0]!;
    const damaged = join(dir, 'store', backup.metadata!.payload.key);
    await appendFile(damaged, Buffer.from('tampered'));
    const r = await lifeboat(['drill', '--store', store, id, ...drillFlags()]);
    expect(r.code).toBe(1);
    expectOneLineError(r.err, /drill FAILED for backup \d{8}T\d{6}Z: drill: .*/);
  });
});
