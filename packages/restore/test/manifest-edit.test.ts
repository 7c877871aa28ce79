import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '@lifeboat/core';
import { parseEtcdManifest } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { editEtcdDataDir, locateDataDir, unifiedDiff } from '../src/index.ts';

const etcdFixtures = join(import.meta.dirname, '../../etcd/test/fixtures');
const ownFixtures = join(import.meta.dirname, 'fixtures');
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

const kubeadm = read(etcdFixtures, 'kubeadm-etcd.yaml');
const joined = read(etcdFixtures, 'kubeadm-etcd-joined.yaml');
const handEdited = read(ownFixtures, 'hand-edited-etcd.yaml.txt');
const flowCrlf = read(ownFixtures, 'flow-crlf-etcd.yaml.txt');
const separateHost = read(ownFixtures, 'separate-host-etcd.yaml.txt');

const target = '/var/lib/etcd-restored-20261121T143005Z';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-edit-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** The edit with every changed range put back: must give the original, byte for byte. */
function undo(edit: ReturnType<typeof editEtcdDataDir>): string {
  const lines = edit.after.split('\n');
  for (const change of edit.changes) {
    const i = change.line - 1;
    expect(lines[i]).toContain(change.after);
    lines[i] = lines[i]!.replace(change.after, change.before);
  }
  return lines.join('\n');
}

describe('editEtcdDataDir on kubeadm manifests', () => {
  it.each([
    ['kubeadm-etcd.yaml', kubeadm],
    ['kubeadm-etcd-joined.yaml', joined],
  ])('%s: flag, mountPath and hostPath change; every other byte stays', (_, text) => {
    const edit = editEtcdDataDir(text, target);
    expect(edit.changes.map((c) => [c.what, c.before, c.after])).toEqual([
      ['--data-dir flag', '--data-dir=/var/lib/etcd', `--data-dir=${target}`],
      ['volumeMount etcd-data mountPath', '/var/lib/etcd', target],
      ['volume etcd-data hostPath.path', '/var/lib/etcd', target],
    ]);
    expect(undo(edit)).toBe(text);
    // Nothing else moved: the same number of lines, and all but three identical.
    const before = text.split('\n');
    const after = edit.after.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after.filter((line, i) => line !== before[i])).toHaveLength(3);
    expect(edit).toMatchObject({ oldDataDir: '/var/lib/etcd', dataDir: target, hostPath: target });
    expect(edit.oldHostDataDir).toBe('/var/lib/etcd');
  });

  it('reads back through the etcd manifest parser with only the data dir changed', () => {
    const edit = editEtcdDataDir(joined, target);
    const was = parseEtcdManifest(joined);
    const now = parseEtcdManifest(edit.after);
    expect(now.dataDir).toBe(target);
    expect({ ...Object.fromEntries(now.flags), 'data-dir': '' }).toEqual({
      ...Object.fromEntries(was.flags),
      'data-dir': '',
    });
    // The YAML as data: the same, but for the three values.
    const js = (t: string) => JSON.stringify(parseDocument(t).toJS()).replaceAll(target, '/var/lib/etcd');
    expect(js(edit.after)).toBe(js(joined));
  });

  it('is a no-op diff when the target is the current dir (nothing to change)', () => {
    const edit = editEtcdDataDir(kubeadm, '/var/lib/etcd');
    expect(edit.after).toBe(kubeadm);
    expect(edit.changes).toEqual([]);
  });

  it('accepts a trailing slash and writes the dir without it', () => {
    expect(editEtcdDataDir(kubeadm, `${target}/`).dataDir).toBe(target);
  });
});

describe('editEtcdDataDir on manifests edited by hand', () => {
  it('keeps comments, reordered keys and quoting; edits split --data-dir args and only the etcd container', () => {
    const edit = editEtcdDataDir(handEdited, target, 'hand-edited');
    expect(edit.changes.map((c) => [c.line, c.what, c.before, c.after])).toEqual([
      [20, 'volume etcd-data hostPath.path', '"/var/lib/etcd"', `"${target}"`],
      [33, 'volumeMount etcd-data mountPath', "'/var/lib/etcd'", `'${target}'`],
      [43, '--data-dir flag', '/var/lib/etcd', target],
    ]);
    expect(undo(edit)).toBe(handEdited);
    // The sidecar's own --data-dir and its read-only mount are not etcd's: untouched.
    expect(edit.after).toContain('args: ["--data-dir=/var/log/shipper"]');
    expect(edit.after).toContain('- {name: etcd-data, mountPath: /var/lib/etcd, readOnly: true}');
    expect(edit.after).toContain(`    - ${target}   # on /dev/nvme1n1\n`);
    expect(parseEtcdManifest(edit.after).dataDir).toBe(target);
  });

  it('edits flow sequences and flow maps, and keeps CRLF line ends', () => {
    const edit = editEtcdDataDir(flowCrlf, target);
    expect(edit.after).toContain(`"--data-dir=${target}", --initial-advertise`);
    expect(edit.after).toContain(`hostPath: {path: ${target}, type: DirectoryOrCreate}\r\n`);
    expect(edit.after.split('\r\n')).toHaveLength(flowCrlf.split('\r\n').length);
    expect(edit.after.replaceAll('\r\n', '')).not.toContain('\n');
    expect(parseEtcdManifest(edit.after).dataDir).toBe(target);
  });

  it('quotes a new value that plain YAML would misread, in the style of the original', () => {
    const odd = "/srv/etcd data/it's #1: ok";
    for (const text of [kubeadm, handEdited, flowCrlf]) {
      const edit = editEtcdDataDir(text, odd);
      const parsed = parseEtcdManifest(edit.after);
      expect(parsed.dataDir).toBe(odd);
      const doc = parseDocument(edit.after).toJS() as {
        spec: { volumes: { name: string; hostPath: { path: string } }[] };
      };
      expect(doc.spec.volumes.find((v) => v.name !== 'etcd-certs')!.hostPath.path).toBe(odd);
    }
    expect(editEtcdDataDir(handEdited, odd).after).toContain(`mountPath: '/srv/etcd data/it''s #1: ok'`);
  });

  it('with the host dir mounted elsewhere, changes only hostPath and points --data-dir at the mount', () => {
    expect(locateDataDir(separateHost)).toEqual({
      dataDir: '/var/lib/etcd/default',
      volume: 'etcd-data',
      mountPath: '/var/lib/etcd',
      hostPath: '/mnt/disks/etcd',
      hostDataDir: '/mnt/disks/etcd/default',
    });
    const edit = editEtcdDataDir(separateHost, '/mnt/disks/etcd-restored');
    expect(edit.changes.map((c) => [c.what, c.before, c.after])).toEqual([
      ['--data-dir flag', '--data-dir=/var/lib/etcd/default', '--data-dir=/var/lib/etcd'],
      ['volume etcd-data hostPath.path', '/mnt/disks/etcd', '/mnt/disks/etcd-restored'],
    ]);
  });

  it('rewrites every --data-dir when the flag is repeated (etcd keeps the last)', () => {
    const twice = kubeadm.replace(
      '        - --snapshot-count=10000\n',
      '        - --snapshot-count=10000\n        - --data-dir=/var/lib/etcd\n',
    );
    const edit = editEtcdDataDir(twice, target);
    expect(edit.changes.filter((c) => c.what === '--data-dir flag')).toHaveLength(2);
    expect(edit.after).not.toContain('--data-dir=/var/lib/etcd\n');
  });

  it.each([
    ['no --data-dir', kubeadm.replace('        - --data-dir=/var/lib/etcd\n', ''), /no --data-dir flag/],
    [
      'no etcd container',
      kubeadm.replace(/name: etcd$/gm, 'name: other').replace('- etcd\n', '- other\n'),
      /no container/,
    ],
    [
      'no mount of the data dir',
      kubeadm.replace('- mountPath: /var/lib/etcd\n', '- mountPath: /opt/other\n'),
      /no volumeMount/,
    ],
    [
      'not a hostPath',
      kubeadm.replace(
        /- hostPath:\n {8}path: \/var\/lib\/etcd\n {8}type: DirectoryOrCreate/,
        '- emptyDir: {}',
      ),
      /not a hostPath/,
    ],
    ['not YAML', 'spec: [\n', /not valid YAML/],
    [
      'a block scalar',
      kubeadm.replace('- --data-dir=/var/lib/etcd', '- >-\n          --data-dir=/var/lib/etcd'),
      /BLOCK_FOLDED scalar/,
    ],
  ])('refuses a manifest with %s, saying to edit by hand', (_, text, reason) => {
    let error: unknown;
    try {
      editEtcdDataDir(text, target, 'etcd.yaml');
    } catch (err) {
      error = err;
    }
    expect(isLifeboatError(error, 'config')).toBe(true);
    expect((error as Error).message).toMatch(/edit it by hand/);
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses a target that is not an absolute, plain path', () => {
    expect(() => editEtcdDataDir(kubeadm, 'relative/dir')).toThrow(/absolute/);
    expect(() => editEtcdDataDir(kubeadm, '/a\nb')).toThrow(/line break/);
  });
});

describe('the diff of an edit', () => {
  it.each([
    ['kubeadm', kubeadm],
    ['joined', joined],
    ['hand-edited', handEdited],
    ['separate host dir', separateHost],
  ])('%s: patch(1) turns the original into the edited file', async (name, text) => {
    const edit = editEtcdDataDir(text, target);
    const diff = unifiedDiff(edit.before, edit.after, { from: 'a/etcd.yaml', to: 'b/etcd.yaml' });
    const file = join(scratch, `${name}.yaml`);
    await writeFile(file, text);
    const run = spawnSync('patch', ['--quiet', '--force', file], { input: diff, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(edit.after);
  });

  it("shows kubeadm's edit as three one-line hunks with three lines of context", () => {
    const edit = editEtcdDataDir(kubeadm, target);
    const diff = unifiedDiff(edit.before, edit.after, { from: 'a/etcd.yaml', to: 'b/etcd.yaml' });
    expect(diff.match(/^@@ .* @@$/gm)).toEqual([
      '@@ -16,7 +16,7 @@',
      '@@ -69,7 +69,7 @@',
      '@@ -85,7 +85,7 @@',
    ]);
    expect(diff.match(/^[-+][^-+].*$/gm)).toEqual([
      '-        - --data-dir=/var/lib/etcd',
      `+        - --data-dir=${target}`,
      '-        - mountPath: /var/lib/etcd',
      `+        - mountPath: ${target}`,
      '-        path: /var/lib/etcd',
      `+        path: ${target}`,
    ]);
  });
});
