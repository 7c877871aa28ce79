// The restore side, on the same filled etcd plus MinIO: one `lifeboat backup`
// (not timed), then per round
// (1) opening it with standard tools only, as docs/FORMAT.md shows an auditor:
//     download (the AWS SDK, test/bench/download.ts), sha256sum of the payload,
//     gpg -d | tar --zstd -x, and sha256sum -c of every file against the manifest,
// (2) `lifeboat fetch`: the same download, checks, decryption and extraction in
//     one stream, to a folder,
// (3) `lifeboat verify --key`: download, decrypt, check every file and read the
//     snapshot as a database, keeping nothing but a temporary snapshot.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBinary } from '../infra/binaries.ts';
import { auditorKey } from './auditor.ts';
import { benchBucket, objects } from './bucket.ts';
import { type Context, etcdTlsFlags, lifeboat, rounds } from './context.ts';
import { formatBytes, MiB, measure, median, type Sample, sequence } from './measure.ts';
import { profileRun } from './profile.ts';
import { Report } from './report.ts';

const downloadScript = join(import.meta.dirname, 'download.ts');

/** Fails the run when an extraction left no snapshot of about the db's size: a fast wrong run is no result. */
async function expectSnapshot(out: string, dbSize: number): Promise<void> {
  const size = (await stat(join(out, 'etcd/snapshot.db'))).size;
  if (size < dbSize * 0.9)
    throw new Error(`${out}/etcd/snapshot.db is ${formatBytes(size)}, not about ${formatBytes(dbSize)}`);
}

export async function restoreSuite(ctx: Context, log: (text: string) => void): Promise<Report> {
  const { cluster, work } = ctx;
  const report = new Report(
    `restore suite: etcd ${cluster.serverVersion}, db ${formatBytes(ctx.dbSize)} (${ctx.keys} keys), MinIO, ${ctx.runs} runs each`,
  );

  log('starting MinIO and a throwaway GnuPG home with the auditor key');
  const { minio, s3, store } = await benchBucket(ctx);
  const auditor = await auditorKey(ctx);
  const { gpg } = await ensureBinary('gpg');
  const { jq } = await ensureBinary('jq');
  await ensureBinary('zstd'); // for tar --zstd

  log('taking the backup to restore (not timed)');
  const taken = await measure(
    lifeboat(
      [
        'backup',
        '--store',
        store,
        '--recipient',
        auditor.publicKeyFile,
        '--kubernetes-dir',
        cluster.members[0]!.tree.dir,
        ...etcdTlsFlags(cluster),
        '--cluster',
        'bench',
        '--node',
        'cp-1',
        '-o',
        'json',
      ],
      minio.env,
      join(work, 'backup.json'),
    ),
  );
  const payload = (await objects(s3, minio.bucket, 'lifeboat/')).find((o) => o.key.endsWith('.tar.zst.pgp'));
  if (!payload) throw new Error('the backup stored no payload');
  const id = /(\d{8}T\d{6}Z)\.tar\.zst\.pgp$/.exec(payload.key)![1]!;
  log(`  backup ${id}: ${formatBytes(payload.size)} in ${(taken.wallMs / 1000).toFixed(1)} s`);

  const steps = {
    download: [] as Sample[],
    sha: [] as Sample[],
    open: [] as Sample[],
    check: [] as Sample[],
  };
  const keyFlags = ['--store', store, id, '--key', auditor.privateKeyFile];
  const fetchCommand = (out: string) => lifeboat(['fetch', ...keyFlags, '--out', out], minio.env);
  const verifyCommand = () => lifeboat(['verify', ...keyFlags], minio.env);

  const failed = new Map<string, string>();
  const samples = await rounds(
    ctx,
    [
      {
        name: '(1) standard tools',
        run: async (round) => {
          const dir = join(work, `manual-${round}`);
          const out = join(dir, 'out');
          await mkdir(out, { recursive: true });
          const file = join(dir, 'backup.tar.zst.pgp');
          const download = await measure({
            command: process.execPath,
            args: [downloadScript, minio.endpoint, minio.bucket, payload.key, file],
            env: minio.env,
          });
          const sha = await measure({ command: 'sha256sum', args: [file] });
          const open = await measure({
            command: 'bash',
            args: [
              '-o',
              'pipefail',
              '-c',
              `"${gpg}" --homedir "${auditor.gpg.home}" --batch --quiet -d "${file}" | tar --zstd -x -C "${out}"`,
            ],
          });
          const check = await measure({
            command: 'bash',
            args: [
              '-o',
              'pipefail',
              '-c',
              `"${jq}" -r '.entries[]|select(.type=="file")|"\\(.sha256)  \\(.path)"' lifeboat/manifest.json | sha256sum -c --quiet`,
            ],
            cwd: out,
          });
          await expectSnapshot(out, ctx.dbSize);
          await rm(dir, { recursive: true, force: true });
          steps.download.push(download);
          steps.sha.push(sha);
          steps.open.push(open);
          steps.check.push(check);
          return sequence([download, sha, open, check]);
        },
      },
      {
        name: '(2) lifeboat fetch',
        run: async (round) => {
          const out = join(work, `fetch-${round}`);
          const s = await measure(fetchCommand(out));
          await expectSnapshot(out, ctx.dbSize);
          await rm(out, { recursive: true, force: true });
          return s;
        },
      },
      { name: '(3) lifeboat verify --key', run: () => measure(verifyCommand()) },
    ],
    log,
    failed,
  );
  report.failures(failed);

  const manual = samples.get('(1) standard tools')!;
  const fetched = samples.get('(2) lifeboat fetch')!;
  const verified = samples.get('(3) lifeboat verify --key')!;
  report.row('(1) standard tools, total', manual, `payload ${formatBytes(payload.size)}`);
  report.row('    1a download (SDK GetObject)', steps.download);
  report.row('    1b sha256sum of the payload', steps.sha);
  report.row('    1c gpg -d | tar --zstd -x', steps.open);
  report.row('    1d sha256sum -c of every file (manifest)', steps.check);
  report.row('(2) lifeboat fetch', fetched);
  report.row('(3) lifeboat verify --key', verified);

  const medianMs = (s: Sample[]) => median(s.map((x) => x.wallMs));
  report.ratio(
    '(2) / (1): lifeboat fetch vs standard tools',
    medianMs(fetched) / medianMs(manual),
    1.0,
    false,
  );
  report.rss(
    `peak RSS, lifeboat fetch (db ${formatBytes(ctx.dbSize)})`,
    Math.max(...fetched.map((s) => s.peakRss)),
    160 * MiB,
  );
  report.rss(
    `peak RSS, lifeboat verify --key (db ${formatBytes(ctx.dbSize)})`,
    Math.max(...verified.map((s) => s.peakRss)),
    160 * MiB,
  );
  report.note(
    "(1)'s time is the sum of its four commands, its peak RSS the largest of theirs. Both (1) and (2) check the same things: the payload's sha256, OpenPGP's integrity check, and every file against the manifest; (2) does them in one pass while it extracts.",
  );
  if (ctx.profileDir) {
    log('profiling one more lifeboat fetch (--profile)');
    const out = join(work, 'fetch-profile');
    report.profiles.push(await profileRun('lifeboat fetch', fetchCommand(out), ctx.profileDir));
    await rm(out, { recursive: true, force: true });
  }
  return report;
}
