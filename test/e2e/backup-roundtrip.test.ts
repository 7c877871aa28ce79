// Issue 4, round trip and auditor path, against real servers: etcd 3.6 (and
// 3.4) with kubeadm TLS, MinIO, restic (current and Debian's 0.14), GnuPG 2.2.
//
// On every store (file://, s3:// on MinIO, restic with both versions) the real
// CLI runs as a CronJob would — flags, credentials only in the environment —
// `lifeboat backup` with a signing key and two recipients, then `list` shows it
// complete, `verify` passes without a private key and with one, and `fetch`
// gives back `etcd/snapshot.db` with the same `etcdutl snapshot status` as an
// `etcdctl snapshot save` taken right after (ADR 002; on 3.4 the same bytes),
// restorable without --skip-hash-check, and `kubernetes/` identical to the
// node's /etc/kubernetes, content and modes. Then an auditor with gpg,
// sha256sum and tar alone checks and opens an archive, once per recipient.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGpgHome,
  createResticRepo,
  type EtcdCluster,
  fillEtcd,
  type Gpg,
  type Minio,
  type ResticFlavor,
  type ResticRepo,
  startEtcd,
  startMinio,
} from '../infra/index.ts';
import {
  backupObjectKeys,
  etcdutlStatus,
  expectSameTree,
  filesBelow,
  type Keys,
  keyFlags,
  lifeboatOk,
  listStore,
  MiB,
  makeKeys,
  run,
  verifyJson,
} from './backup-helpers.ts';

let dir: string;
let etcd: EtcdCluster;
let etcdutl: string;
let tree: string;
let keys: Keys;
let minio: Minio;
const repos: Partial<Record<ResticFlavor, ResticRepo>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-backup-roundtrip-'));
  const startingEtcd = (async () => {
    etcd = await startEtcd({ version: '3.6' });
    await fillEtcd(etcd, { targetBytes: 4 * MiB });
  })();
  [keys, minio, repos.current, repos.debian] = await Promise.all([
    makeKeys(join(dir, 'keys')),
    startMinio(),
    createResticRepo('current'),
    createResticRepo('debian'),
    startingEtcd,
  ]);
  etcdutl = etcd.bin.etcdutl!;
  tree = etcd.members[0]!.tree.dir;
});

afterAll(async () => {
  await Promise.allSettled([etcd?.stop(), minio?.stop(), repos.current?.remove(), repos.debian?.remove()]);
  await rm(dir, { recursive: true, force: true });
});

interface StoreUnderTest {
  url: string;
  /** What the CronJob's pod environment would hold: credentials, and PATH for restic. */
  env: Record<string, string>;
}

function storeFor(kind: string): StoreUnderTest {
  switch (kind) {
    case 'file':
      return { url: `file://${join(dir, 'folder-store')}`, env: {} };
    case 's3':
      return {
        url: `s3://${minio.bucket}/roundtrip?endpoint=${minio.endpoint}&pathStyle=true`,
        env: { ...minio.env },
      };
    default: {
      const repo = repos[kind === 'restic current' ? 'current' : 'debian']!;
      return {
        url: `restic:${repo.repository}`,
        env: {
          RESTIC_PASSWORD: repo.password,
          RESTIC_CACHE_DIR: repo.env['RESTIC_CACHE_DIR']!,
          // The image's restic is whatever PATH finds first: this flavor's.
          PATH: `${dirname(repo.binary)}:${process.env['PATH']}`,
        },
      };
    }
  }
}

/** The 32-byte trailer is the sha256 of everything before it. */
function trailerOf(file: Buffer): { ok: boolean; hex: string } {
  const trailer = file.subarray(file.length - 32);
  const db = createHash('sha256')
    .update(file.subarray(0, file.length - 32))
    .digest();
  return { ok: db.equals(trailer), hex: trailer.toString('hex') };
}

describe('backup → list → verify → fetch round trip', () => {
  it.each(['file', 's3', 'restic current', 'restic debian'])(
    'through the %s store gives back the snapshot and /etc/kubernetes',
    async (kind) => {
      const store = storeFor(kind);
      const work = join(dir, kind.replace(' ', '-'));
      await mkdir(work);

      // backup, as the CronJob runs it; then at once etcdctl's snapshot for comparison.
      const backup = await lifeboatOk(
        [
          'backup',
          '--store',
          store.url,
          '--cluster',
          'e2e',
          '--node',
          'cp-1',
          '--kubernetes-dir',
          tree,
          ...keyFlags(keys),
          '-o',
          'json',
        ],
        store.env,
      );
      const reference = join(work, 'etcdctl.db');
      await etcd.etcdctl(['snapshot', 'save', reference]);
      const metadata = JSON.parse(backup.out);
      const id: string = metadata.id;

      // list: exactly this backup, complete, naming both recipients and the signer.
      const listed = await listStore(store.url, store.env);
      expect(listed.map((b) => [b.id, b.cluster, b.node, b.state])).toEqual([
        [id, 'e2e', 'cp-1', 'complete'],
      ]);
      const m = listed[0]!.metadata!;
      expect(m).toEqual(metadata);
      expect(m.payload.recipients.sort()).toEqual(keys.recipients.map((r) => r.fingerprint).sort());
      expect(m.payload.signer).toBe(keys.signer.fingerprint);
      expect(m.payload.compression).toBe('zstd');
      expect(m.etcd.serverVersion).toBe(etcd.serverVersion);
      expect(listed[0]!.payloadSize).toBe(m.payload.size);

      // verify without any key: metadata, payload size and sha256. (Skipped on restic,
      // where every command costs a few restic runs; the next one checks the same and more.)
      if (!kind.startsWith('restic')) {
        const bare = await verifyJson(store.url, id, [], store.env);
        expect(bare.report.ok).toBe(true);
        expect(bare.report.checks.map((c) => c.name)).toEqual([
          'metadata',
          'metadata signature',
          'payload checksum',
        ]);
      }
      // …and with the signer's public key: the metadata's detached signature is checked.
      const signed = await verifyJson(store.url, id, ['--signer-key', keys.signer.pub], store.env);
      expect(signed.report.ok).toBe(true);
      expect(signed.report.checks.find((c) => c.name === 'metadata signature')?.detail).toBe(
        `good signature by ${keys.signer.fingerprint}`,
      );
      expect(signed.report.checks.find((c) => c.name === 'payload checksum')?.detail).toContain(
        m.payload.sha256,
      );

      // verify with the first recipient's private key: decryption, bundle, snapshot.
      const full = await verifyJson(
        store.url,
        id,
        ['--key', keys.recipients[0]!.key, '--signer-key', keys.signer.pub],
        store.env,
      );
      expect(full.report.ok).toBe(true);
      expect(full.report.checks.map((c) => [c.name, c.ok])).toEqual([
        ['metadata', true],
        ['metadata signature', true],
        ['payload checksum', true],
        ['decryption', true],
        ['bundle', true],
        ['snapshot', true],
      ]);
      expect(full.report.checks.find((c) => c.name === 'decryption')?.detail).toContain(
        `payload signed by ${keys.signer.fingerprint}`,
      );

      // fetch with the second recipient's key.
      const out = join(work, 'fetched');
      await lifeboatOk(
        [
          'fetch',
          '--store',
          store.url,
          id,
          '--key',
          keys.recipients[1]!.key,
          '--signer-key',
          keys.signer.pub,
          '--out',
          out,
        ],
        store.env,
      );
      const snapshot = join(out, 'etcd/snapshot.db');
      const [ours, theirs] = await Promise.all([readFile(snapshot), readFile(reference)]);
      // The same database as etcdctl's, per ADR 002: same size, same etcdutl status.
      expect(ours.length).toBe(theirs.length);
      const [ourStatus, theirStatus] = await Promise.all([
        etcdutlStatus(etcdutl, snapshot),
        etcdutlStatus(etcdutl, reference),
      ]);
      expect(ourStatus).toEqual(theirStatus);
      expect(ourStatus.totalKey).toBeGreaterThan(500);
      expect(full.report.snapshot).toMatchObject({
        hash: theirStatus.hash,
        revision: theirStatus.revision,
        totalKey: theirStatus.totalKey,
        totalSize: theirStatus.totalSize,
      });
      // The trailer is the database's sha256, and the one the metadata recorded.
      const trailer = trailerOf(ours);
      expect(trailer.ok).toBe(true);
      expect(trailer.hex).toBe(m.etcd.snapshotSha256);
      expect(m.etcd.revision).toBe(theirStatus.revision);
      expect(m.etcd.dbSize + 32).toBe(ours.length);

      // It restores with the hash check on (no --skip-hash-check).
      const restored = join(work, 'restored');
      await run(etcdutl, ['snapshot', 'restore', snapshot, '--data-dir', restored]);
      expect((await stat(join(restored, 'member/snap/db'))).size).toBeGreaterThan(0);

      // kubernetes/ is the node's /etc/kubernetes: same paths, types, modes and bytes.
      await expectSameTree(join(out, 'kubernetes'), tree);
      expect(await filesBelow(out)).toContain('lifeboat/manifest.json');

      if (kind.startsWith('restic')) {
        // The backup went through this flavor's restic (PATH in the pod's environment).
        const repo = repos[kind === 'restic current' ? 'current' : 'debian']!;
        const snaps = JSON.parse(await repo.restic(['snapshots', '--json'])) as {
          paths: string[];
          hostname: string;
          program_version?: string;
        }[];
        expect(snaps.map((s) => s.paths[0]).sort()).toEqual(backupObjectKeys(m).map((k) => `/${k}`));
        expect(snaps.every((s) => s.hostname === 'cp-1')).toBe(true);
        const versions = new Set(snaps.map((s) => s.program_version));
        if (kind === 'restic current') expect(versions).toEqual(new Set(['restic 0.19.1']));
        else expect(versions).toEqual(new Set([undefined])); // 0.14 records no program_version
      }
    },
  );

  it('from etcd 3.4 fetches the very bytes etcdctl snapshot save writes, and they restore', async () => {
    const old = await startEtcd({ version: '3.4' });
    try {
      await fillEtcd(old, { targetBytes: 2 * MiB });
      const work = join(dir, 'etcd-3.4');
      await mkdir(work);
      const url = `file://${join(work, 'store')}`;
      const oldTree = old.members[0]!.tree.dir;
      const backup = await lifeboatOk([
        'backup',
        '--store',
        url,
        '--cluster',
        'legacy',
        '--node',
        'cp-1',
        '--kubernetes-dir',
        oldTree,
        ...keyFlags(keys),
        '-o',
        'json',
      ]);
      const reference = join(work, 'etcdctl.db');
      await old.etcdctl(['snapshot', 'save', reference]);
      const { id, etcd: facts } = JSON.parse(backup.out);
      expect(facts.serverVersion).toBe(old.serverVersion);
      expect(facts.serverVersion).toMatch(/^3\.4\./);
      const out = join(work, 'fetched');
      await lifeboatOk(['fetch', '--store', url, id, '--key', keys.recipients[0]!.key, '--out', out]);
      const snapshot = join(out, 'etcd/snapshot.db');
      const [ours, theirs] = await Promise.all([readFile(snapshot), readFile(reference)]);
      expect(ours.length).toBe(theirs.length);
      expect(ours.equals(theirs)).toBe(true);
      // etcd 3.4 has no etcdutl: its etcdctl restores, hash check on.
      await run(old.bin.etcdctl, ['snapshot', 'restore', snapshot, '--data-dir', join(work, 'restored')], {
        env: { ...process.env, ETCDCTL_API: '3' },
      });
      expect((await stat(join(work, 'restored/member/snap/db'))).size).toBeGreaterThan(0);
      await expectSameTree(join(out, 'kubernetes'), oldTree);
    } finally {
      await old.stop();
    }
  });
});

describe('auditor path with gpg, sha256sum and tar alone (file store)', () => {
  const gpgs: Gpg[] = [];
  afterAll(() => Promise.allSettled(gpgs.map((g) => g.remove())));

  it('checks the payload sha256 and the metadata signature, and opens the payload with each recipient', async () => {
    const root = join(dir, 'auditor-store');
    const url = `file://${root}`;
    const backup = await lifeboatOk([
      'backup',
      '--store',
      url,
      '--cluster',
      'audit',
      '--node',
      'cp-1',
      '--kubernetes-dir',
      tree,
      ...keyFlags(keys),
      '-o',
      'json',
    ]);
    const reference = join(dir, 'auditor-etcdctl.db');
    await etcd.etcdctl(['snapshot', 'save', reference]);
    const id: string = JSON.parse(backup.out).id;

    // The auditor has only the files: <id>.tar.zst.pgp, <id>.json, <id>.json.asc.
    const base = join(root, 'audit/cp-1', id);
    const payload = `${base}.tar.zst.pgp`;
    const metadataFile = `${base}.json`;
    expect((await filesBelow(root)).sort()).toEqual(
      [`${id}.json`, `${id}.json.asc`, `${id}.tar.zst.pgp`].map((f) => `audit/cp-1/${f}`),
    );
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8'));

    // sha256sum of the payload is the metadata's.
    const { stdout: sum } = await run('sha256sum', [payload]);
    expect(sum.split(/\s+/)[0]).toBe(metadata.payload.sha256);
    expect((await stat(payload)).size).toBe(metadata.payload.size);

    for (const recipient of keys.recipients) {
      // A fresh GnuPG home per recipient: its own secret key, the cluster's public signing key.
      const gpg = await createGpgHome();
      gpgs.push(gpg);
      await gpg.run(['--import', recipient.key, keys.signer.pub]);

      // gpg --verify x.json.asc x.json: a good signature by the cluster's key.
      const statusFile = join(dir, `verify-${recipient.name}.status`);
      await gpg.run(['--status-file', statusFile, '--verify', `${metadataFile}.asc`, metadataFile]);
      const verifyStatus = await readFile(statusFile, 'utf8');
      expect(verifyStatus).toMatch(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${keys.signer.fingerprint} `, 'm'));
      expect(verifyStatus).toMatch(/^\[GNUPG:\] GOODSIG /m);

      // gpg -d x.tar.zst.pgp | tar --zstd -x gives the bundle back.
      const out = join(dir, `auditor-${recipient.name}`);
      await mkdir(out);
      const decryptStatus = join(dir, `decrypt-${recipient.name}.status`);
      await run('bash', [
        '-o',
        'pipefail',
        '-c',
        `gpg --homedir "$1" --batch --no-tty --status-file "$2" -d "$3" | tar --zstd -x -C "$4"`,
        'auditor',
        gpg.home,
        decryptStatus,
        payload,
        out,
      ]);
      const status = await readFile(decryptStatus, 'utf8');
      expect(status).toMatch(/^\[GNUPG:\] DECRYPTION_OKAY/m);
      expect(status).toMatch(/^\[GNUPG:\] GOODMDC/m);
      expect(status).toMatch(new RegExp(`^\\[GNUPG:\\] VALIDSIG ${keys.signer.fingerprint} `, 'm'));

      // The same files: the snapshot (etcdctl's content, restorable), the node's tree, the manifest.
      expect((await filesBelow(out)).filter((f) => !f.startsWith('kubernetes/')).sort()).toEqual([
        'etcd/snapshot.db',
        'lifeboat/manifest.json',
      ]);
      const snapshot = join(out, 'etcd/snapshot.db');
      expect(await etcdutlStatus(etcdutl, snapshot)).toEqual(await etcdutlStatus(etcdutl, reference));
      expect(trailerOf(await readFile(snapshot)).hex).toBe(metadata.etcd.snapshotSha256);
      await expectSameTree(join(out, 'kubernetes'), tree);
      // The manifest's per-file sha256 matches what tar gave back.
      const manifest = JSON.parse(await readFile(join(out, 'lifeboat/manifest.json'), 'utf8'));
      const entries = manifest.entries as { path: string; type: string; sha256?: string }[];
      const files = entries.filter((e) => e.type === 'file');
      expect(files.map((f) => f.path)).toContain('etcd/snapshot.db');
      expect(files.length).toBeGreaterThan(10);
      for (const f of files) {
        const bytes = await readFile(join(out, f.path));
        expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
      }
    }
  });
});
