// Reading a fetched bundle and writing a plan's files.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHashTrailer, planRestore, readBundle, renderRunbook, writePlan } from '../src/index.ts';
import { bashSyntaxError } from './sandbox.ts';

const fixtures = join(import.meta.dirname, '../../etcd/test/fixtures');
const now = new Date('2026-11-21T16:00:00Z');

let scratch: string;
let bundle: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-files-'));
  bundle = join(scratch, 'bundle');
  await mkdir(join(bundle, 'etcd'), { recursive: true });
  await mkdir(join(bundle, 'kubernetes/manifests'), { recursive: true });
  await copyFile(join(fixtures, 'kubeadm-etcd.yaml'), join(bundle, 'kubernetes/manifests/etcd.yaml'));
  // What etcdctl writes: whole 4 KiB pages plus the 32-byte sha256.
  await writeFile(join(bundle, 'etcd/snapshot.db'), Buffer.alloc(3 * 4096 + 32));
  await writeFile(join(scratch, 'raw.db'), Buffer.alloc(3 * 4096));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('readBundle', () => {
  it('follows etcdutl on whether a file has a hash trailer', () => {
    expect(hasHashTrailer(4096 + 32)).toBe(true);
    expect(hasHashTrailer(4096)).toBe(false);
    expect(hasHashTrailer(512 * 7 + 32)).toBe(true);
  });

  it("reads etcd.yaml, the snapshot's kind and the certificates", async () => {
    const facts = await readBundle(bundle, { now });
    expect(facts.dir).toBe(bundle);
    expect(facts.snapshot).toBe(join(bundle, 'etcd/snapshot.db'));
    expect(facts.raw).toBe(false);
    expect(facts.manifest.source).toBe(join(bundle, 'kubernetes/manifests/etcd.yaml'));
    expect(facts.manifest.text).toContain('--data-dir=/var/lib/etcd');
    expect(facts.certificates).toEqual([]);
    expect((await readBundle(bundle, { now, snapshot: join(scratch, 'raw.db') })).raw).toBe(true);
  });

  it('says what is missing', async () => {
    await expect(readBundle(join(scratch, 'nope'), { now })).rejects.toThrow(
      /cannot read the backed-up etcd.yaml/,
    );
    await expect(readBundle(bundle, { now, snapshot: join(scratch, 'none.db') })).rejects.toThrow(
      /cannot read the snapshot .*none\.db: ENOENT/,
    );
  });
});

describe('writePlan', () => {
  it('writes the runbook, one executable script per member, the edited etcd.yaml and its diff', async () => {
    const facts = await readBundle(bundle, { now });
    const plan = planRestore({
      manifests: [facts.manifest],
      source: { bundleDir: facts.dir, raw: facts.raw },
      members: [
        { name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' },
        { name: 'cp-2', peerUrl: 'https://10.0.0.12:2380' },
      ],
      now,
    });
    const out = join(scratch, 'plan');
    const written = await writePlan(plan, out);
    expect((await readdir(out)).sort()).toEqual([
      'RUNBOOK.md',
      'etcd.yaml.cp-1.diff',
      'etcd.yaml.cp-1.edited',
      'plan.json',
      'restore-cp-1.sh',
      'restore-cp-2.sh',
    ]);
    const mode = async (name: string) => (await stat(join(out, name))).mode & 0o777;
    expect(await mode('restore-cp-1.sh')).toBe(0o755);
    expect(await mode('etcd.yaml.cp-1.edited')).toBe(0o600);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    expect(await readFile(written.runbook, 'utf8')).toBe(renderRunbook(plan));
    for (const script of written.scripts)
      expect(bashSyntaxError(await readFile(script, 'utf8'))).toBeUndefined();
    expect(JSON.parse(await readFile(written.json, 'utf8')).members[1].name).toBe('cp-2');

    // A new plan into the same folder replaces the old one as a whole.
    const single = planRestore({
      manifests: [facts.manifest],
      source: { bundleDir: facts.dir, raw: false },
      now,
    });
    await writePlan(single, out);
    expect(await readdir(out)).not.toContain('restore-cp-2.sh');
  });

  it('refuses a folder that holds anything but an earlier plan', async () => {
    const out = join(scratch, 'busy');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const plan = planRestore({
      manifests: [(await readBundle(bundle, { now })).manifest],
      source: { bundleDir: bundle, raw: false },
      now,
    });
    await expect(writePlan(plan, out)).rejects.toThrow(
      /not empty and holds more than an earlier restore plan/,
    );
  });
});
