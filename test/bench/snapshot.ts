// Issue 3's benchmark: the snapshot engine against etcd's own tools on one
// filled etcd. (a) streaming a snapshot to a file vs `etcdctl snapshot save`,
// (b) reading a snapshot file vs `etcdutl snapshot status -w json` (and the same
// values), (c) `lifeboat snapshot ls` of every key when that command exists,
// with the peak RSS of each lifeboat command.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, cli, etcdTlsFlags, lifeboat, rounds } from './context.ts';
import { formatBytes, MiB, measure, median } from './measure.ts';
import { profileRun } from './profile.ts';
import { Report } from './report.ts';

const rssLimit = 128 * MiB;
const openssl = '/usr/bin/openssl';
const trailerFloor = 'openssl dgst -sha256 (the trailer check alone)';

export function snapshotLsAvailable(): boolean {
  const res = spawnSync(process.execPath, [cli(), 'snapshot', 'ls', '--help'], { stdio: 'ignore' });
  return res.status === 0;
}

export async function snapshotSuite(ctx: Context, log: (text: string) => void): Promise<Report> {
  const { cluster, work } = ctx;
  const etcdutl = cluster.bin.etcdutl;
  if (!etcdutl) throw new Error(`etcd ${cluster.version} has no etcdutl`);
  const report = new Report(
    `snapshot suite: etcd ${cluster.serverVersion}, db ${formatBytes(ctx.dbSize)} (${ctx.keys} keys), ${ctx.runs} runs each`,
  );

  // A failed lifeboat command is a result: noted, its targets MISS, the rest goes on.
  const failed = new Map<string, string>();

  // (a) snapshot save
  log('snapshot save: etcdctl vs lifeboat');
  const saved = join(work, 'snapshot.db');
  const save = await rounds(
    ctx,
    [
      {
        name: 'etcdctl snapshot save',
        run: async (round) => {
          const file = join(work, `etcdctl-${round}.db`);
          const s = await measure({
            command: cluster.bin.etcdctl,
            args: [...etcdTlsFlags(cluster), 'snapshot', 'save', file],
          });
          await rm(file, { force: true });
          return s;
        },
      },
      {
        name: 'lifeboat snapshot save',
        run: async (round) => {
          const file = join(work, `lifeboat-${round}.db`);
          const s = await measure(lifeboat(['snapshot', 'save', file, ...etcdTlsFlags(cluster)]));
          await rm(file, { force: true });
          return s;
        },
      },
    ],
    log,
    failed,
  );
  // One more etcdctl snapshot, kept for status and ls.
  await measure({
    command: cluster.bin.etcdctl,
    args: [...etcdTlsFlags(cluster), 'snapshot', 'save', saved],
  });
  const size = (await stat(saved)).size;
  const throughput = (samples: { wallMs: number }[]) =>
    samples.length ? `${(size / MiB / (median(samples.map((s) => s.wallMs)) / 1000)).toFixed(0)} MiB/s` : '';
  const etcdctlSave = save.get('etcdctl snapshot save')!;
  const lifeboatSave = save.get('lifeboat snapshot save')!;
  report.row('etcdctl snapshot save', etcdctlSave, throughput(etcdctlSave));
  report.row('lifeboat snapshot save', lifeboatSave, throughput(lifeboatSave));

  // Node start-up and module loading alone: the fixed part of every lifeboat command.
  const startup = await rounds(
    ctx,
    [{ name: 'lifeboat version', run: () => measure(lifeboat(['version'])) }],
    log,
    failed,
  );
  report.row(
    'lifeboat version (start-up only)',
    startup.get('lifeboat version')!,
    'fixed cost in every lifeboat row',
  );

  // (b) snapshot status
  log('snapshot status: etcdutl vs lifeboat');
  const outputs: Record<string, string> = {};
  const status = await rounds(
    ctx,
    [
      {
        name: 'etcdutl snapshot status -w json',
        run: async (round) => {
          const out = join(work, `etcdutl-status-${round}.json`);
          const s = await measure({
            command: etcdutl,
            args: ['snapshot', 'status', saved, '-w', 'json'],
            stdout: out,
          });
          outputs['etcdutl'] = await readFile(out, 'utf8');
          return s;
        },
      },
      {
        name: 'lifeboat snapshot status -w json',
        run: async (round) => {
          const out = join(work, `lifeboat-status-${round}.json`);
          const s = await measure(lifeboat(['snapshot', 'status', saved, '-w', 'json'], undefined, out));
          outputs['lifeboat'] = await readFile(out, 'utf8');
          return s;
        },
      },
      // What lifeboat's check of the sha256 trailer costs on its own, with the same OpenSSL code
      // Node hashes with: a floor for a status that checks the trailer, which etcdutl does not.
      ...(existsSync(openssl)
        ? [
            {
              name: trailerFloor,
              run: () => measure({ command: openssl, args: ['dgst', '-sha256', saved] }),
            },
          ]
        : []),
    ],
    log,
    failed,
  );
  const etcdutlStatus = status.get('etcdutl snapshot status -w json')!;
  const lifeboatStatus = status.get('lifeboat snapshot status -w json')!;
  report.row('etcdutl snapshot status -w json', etcdutlStatus);
  report.row('lifeboat snapshot status -w json', lifeboatStatus);
  const floor = status.get(trailerFloor);
  if (floor) report.row(trailerFloor, floor, 'the sha256 alone: lifeboat checks it, etcdutl does not');
  const parse = (text: string | undefined) => {
    try {
      return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      return undefined;
    }
  };
  const theirs = parse(outputs['etcdutl']);
  const ours = parse(outputs['lifeboat']);
  const differing =
    theirs && ours
      ? Object.keys(theirs).filter((k) => JSON.stringify(theirs[k]) !== JSON.stringify(ours[k]))
      : ['(no output)'];
  const sameValues = differing.length === 0;
  report.note(
    sameValues && theirs
      ? `snapshot status values: identical (${Object.entries(theirs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      : `snapshot status values: **DIFFER** in ${differing.join(', ')}: etcdutl ${outputs['etcdutl']?.trim()} vs lifeboat ${outputs['lifeboat']?.trim()}`,
  );

  // (c) snapshot ls of every key: the default table (sorted, one summary per key held in
  // memory) and -o jsonl (streamed in revision order, constant memory).
  const lsRss: { label: string; bytes: number }[] = [];
  const lsVariants = [
    { name: 'lifeboat snapshot ls', args: [] as string[] },
    { name: 'lifeboat snapshot ls -o jsonl', args: ['-o', 'jsonl'] },
  ];
  if (snapshotLsAvailable()) {
    log('snapshot ls: lifeboat');
    const lines: Record<string, number> = {};
    const ls = await rounds(
      ctx,
      lsVariants.map((v) => ({
        name: v.name,
        run: async (round: number) => {
          const out = join(work, `ls-${round}.txt`);
          const s = await measure(lifeboat(['snapshot', 'ls', saved, ...v.args], undefined, out));
          lines[v.name] = (await readFile(out, 'utf8')).split('\n').filter(Boolean).length;
          await rm(out, { force: true });
          return s;
        },
      })),
      log,
      failed,
    );
    for (const v of lsVariants) {
      const samples = ls.get(v.name)!;
      report.row(`${v.name} (all keys)`, samples, samples.length ? `${lines[v.name]} lines of output` : '');
      lsRss.push({ label: `peak RSS, ${v.name}`, bytes: Math.max(...samples.map((s) => s.peakRss)) });
    }
  } else {
    report.note('lifeboat snapshot ls: skipped: snapshot ls not available');
  }

  report.failures(failed);
  const medianMs = (s: { wallMs: number }[]) => median(s.map((x) => x.wallMs));
  const maxRss = (s: { peakRss: number }[]) => Math.max(...s.map((x) => x.peakRss));
  report.ratio(
    'snapshot save throughput, lifeboat / etcdctl',
    medianMs(etcdctlSave) / medianMs(lifeboatSave),
    0.95,
    true,
  );
  report.ratio(
    'snapshot status time, lifeboat / etcdutl',
    medianMs(lifeboatStatus) / medianMs(etcdutlStatus),
    1.0,
    false,
  );
  report.targets.push({
    label: 'snapshot status values equal etcdutl',
    value: sameValues ? 1 : 0,
    shown: sameValues ? 'equal' : 'differ',
    limit: 1,
    limitShown: 'equal',
    atLeast: true,
  });
  report.rss('peak RSS, lifeboat snapshot save', maxRss(lifeboatSave), rssLimit);
  report.rss('peak RSS, lifeboat snapshot status', maxRss(lifeboatStatus), rssLimit);
  for (const { label, bytes } of lsRss) report.rss(label, bytes, rssLimit);
  if (ctx.profileDir) {
    log('profiling one more run of each lifeboat command (--profile)');
    const file = join(work, 'profiled.db');
    report.profiles.push(
      await profileRun(
        'lifeboat snapshot save',
        lifeboat(['snapshot', 'save', file, ...etcdTlsFlags(cluster)]),
        ctx.profileDir,
      ),
    );
    await rm(file, { force: true });
    report.profiles.push(
      await profileRun(
        'lifeboat snapshot status -w json',
        lifeboat(['snapshot', 'status', saved, '-w', 'json']),
        ctx.profileDir,
      ),
    );
    if (lsRss.length) {
      const out = join(work, 'ls.txt');
      for (const v of lsVariants.filter((v) => !failed.has(v.name))) {
        report.profiles.push(
          await profileRun(
            v.name,
            lifeboat(['snapshot', 'ls', saved, ...v.args], undefined, out),
            ctx.profileDir,
          ),
        );
      }
      await rm(out, { force: true });
    }
  }
  await rm(saved, { force: true });
  return report;
}
