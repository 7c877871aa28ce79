// Issue 4's benchmark, on the same filled etcd plus MinIO:
// (1) bare `etcdctl snapshot save` to disk,
// (2) the manual procedure of the seed guides: etcdctl snapshot save, tar czf
//     of the snapshot and /etc/kubernetes, gpg --encrypt to a recipient, then
//     upload of the file to S3 (the AWS SDK's multipart Upload, test/bench/upload.ts),
// (3) `lifeboat backup` to the same S3 (one stream: snapshot → tar → zstd → OpenPGP → S3).
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureBinary } from '../infra/binaries.ts';
import { auditorKey } from './auditor.ts';
import { benchBucket, objects, removeAll } from './bucket.ts';
import { type Context, etcdTlsFlags, lifeboat, rounds } from './context.ts';
import { formatBytes, GiB, MiB, measure, median, type Sample, sequence } from './measure.ts';
import { profileRun } from './profile.ts';
import { Report } from './report.ts';

const uploadScript = join(import.meta.dirname, 'upload.ts');

export async function backupSuite(ctx: Context, log: (text: string) => void): Promise<Report> {
  const { cluster, work } = ctx;
  const tree = cluster.members[0]!.tree.dir;
  const report = new Report(
    `backup suite: etcd ${cluster.serverVersion}, db ${formatBytes(ctx.dbSize)} (${ctx.keys} keys), MinIO, ${ctx.runs} runs each`,
  );

  log('starting MinIO and a throwaway GnuPG home');
  const { minio, s3, store } = await benchBucket(ctx);
  const auditor = await auditorKey(ctx);
  const { gpg: gpgBin } = await ensureBinary('gpg');

  const manualDir = join(work, 'manual');
  await mkdir(manualDir);
  const steps = {
    save: [] as Sample[],
    tar: [] as Sample[],
    gpg: [] as Sample[],
    upload: [] as Sample[],
  };
  let manualSize = 0;
  let lifeboatSize = 0;

  const backupCommand = (node: string) =>
    lifeboat(
      [
        'backup',
        '--store',
        store,
        '--recipient',
        auditor.publicKeyFile,
        '--kubernetes-dir',
        tree,
        ...etcdTlsFlags(cluster),
        '--cluster',
        'bench',
        '--node',
        node,
      ],
      minio.env,
      join(work, `backup-${node}.out`),
    );

  // A failed command is a result: noted, its targets MISS, the rest goes on.
  const failed = new Map<string, string>();
  const samples = await rounds(
    ctx,
    [
      {
        name: '(1) etcdctl snapshot save',
        run: async (round) => {
          const file = join(work, `bare-${round}.db`);
          const s = await measure({
            command: cluster.bin.etcdctl,
            args: [...etcdTlsFlags(cluster), 'snapshot', 'save', file],
          });
          await rm(file, { force: true });
          return s;
        },
      },
      {
        name: '(2) manual procedure',
        run: async (round) => {
          const db = join(manualDir, 'snapshot.db');
          const tgz = join(manualDir, 'backup.tar.gz');
          const pgp = `${tgz}.gpg`;
          const objectKey = `manual/${round}/backup.tar.gz.gpg`;
          const save = await measure({
            command: cluster.bin.etcdctl,
            args: [...etcdTlsFlags(cluster), 'snapshot', 'save', db],
          });
          const tar = await measure({
            command: 'tar',
            args: ['czf', tgz, '-C', manualDir, 'snapshot.db', '-C', dirname(tree), 'kubernetes'],
          });
          const enc = await measure({
            command: gpgBin!,
            args: [
              '--homedir',
              auditor.gpg.home,
              '--batch',
              '--no-tty',
              '--trust-model',
              'always',
              '--encrypt',
              '--recipient',
              auditor.fingerprint,
              '--output',
              pgp,
              tgz,
            ],
          });
          const upload = await measure({
            command: process.execPath,
            args: [uploadScript, pgp, minio.endpoint, minio.bucket, objectKey],
            env: minio.env,
          });
          manualSize = (await stat(pgp)).size;
          steps.save.push(save);
          steps.tar.push(tar);
          steps.gpg.push(enc);
          steps.upload.push(upload);
          await Promise.all([db, tgz, pgp].map((f) => rm(f, { force: true })));
          await removeAll(s3, minio.bucket, 'manual/');
          return sequence([save, tar, enc, upload]);
        },
      },
      {
        name: '(3) lifeboat backup',
        run: async (round) => {
          const s = await measure(backupCommand(`run-${round}`));
          const stored = await objects(s3, minio.bucket, 'lifeboat/');
          lifeboatSize = stored.filter((o) => o.key.endsWith('.pgp')).reduce((n, o) => n + o.size, 0);
          if (lifeboatSize === 0)
            throw new Error(`lifeboat backup stored no payload: ${JSON.stringify(stored)}`);
          await removeAll(s3, minio.bucket, 'lifeboat/');
          return s;
        },
      },
    ],
    log,
    failed,
  );
  report.failures(failed);

  const bare = samples.get('(1) etcdctl snapshot save')!;
  const manual = samples.get('(2) manual procedure')!;
  const ours = samples.get('(3) lifeboat backup')!;
  report.row('(1) etcdctl snapshot save', bare);
  report.row('(2) manual procedure, total', manual, `archive ${formatBytes(manualSize)} (tar.gz + gpg)`);
  report.row('    2a etcdctl snapshot save', steps.save);
  report.row('    2b tar czf (snapshot + /etc/kubernetes)', steps.tar);
  report.row('    2c gpg --encrypt', steps.gpg);
  report.row('    2d upload to MinIO (SDK multipart)', steps.upload);
  report.row('(3) lifeboat backup → MinIO', ours, `archive ${formatBytes(lifeboatSize)} (tar.zst + OpenPGP)`);

  const medianMs = (s: Sample[]) => median(s.map((x) => x.wallMs));
  report.ratio(
    '(3) / (1): lifeboat backup vs bare etcdctl snapshot save',
    medianMs(ours) / medianMs(bare),
    1.25,
    false,
  );
  report.ratio(
    '(3) / (2): lifeboat backup vs the manual procedure',
    medianMs(ours) / medianMs(manual),
    0.35,
    false,
  );
  report.rss(
    `peak RSS, lifeboat backup (db ${formatBytes(ctx.dbSize)})`,
    Math.max(...ours.map((s) => s.peakRss)),
    160 * MiB,
  );
  if (ctx.dbSize < 3.5 * GiB) report.note('the 4 GiB RSS target needs a run with `--size 4GiB`');
  report.note(
    `(2)'s peak RSS is the largest of its four commands; (2)'s time is the sum of theirs. Recipient: one curve 25519 key for both; lifeboat backup runs without --signing-key (the manual procedure does not sign either).`,
  );
  if (ctx.profileDir) {
    log('profiling one more lifeboat backup (--profile)');
    report.profiles.push(
      await profileRun('lifeboat backup → MinIO', backupCommand('profile'), ctx.profileDir),
    );
    await removeAll(s3, minio.bucket, 'lifeboat/');
  }
  return report;
}
