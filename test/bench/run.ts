// `npm run bench [-- snapshot|backup|restore ...] [--size 1GiB] [--runs 3] [--markdown FILE] [--profile DIR] [--bundle]`
//
// Benchmarks, not timed tests: every figure is a ratio against a baseline
// measured in the same run on the same machine (etcdctl, etcdutl, the manual
// tar + gpg + upload procedure). Fills one etcd 3.6 with Kubernetes-shaped data
// to --size, runs each command --runs times (rotating the order), and prints
// Markdown tables of medians, peak RSS, and "meets"/"MISSES" per target.
// Everything (etcd, MinIO, GnuPG home, temp folders) is removed at the end,
// on failure and on Ctrl-C too. Exit status: 0 when the benchmark ran (misses
// included), 1 when it could not run, 2 for a wrong command line.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, release, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ensureBinary } from '../infra/binaries.ts';
import { fillEtcd } from '../infra/data.ts';
import { type EtcdCluster, startEtcd } from '../infra/etcd.ts';
import { etcdFlags } from '../infra/kubeadm-tree.ts';
import { startServer } from '../infra/process.ts';
import { backupSuite } from './backup.ts';
import { type Context, cli, root, sourceCli, useCli } from './context.ts';
import { formatBytes, GiB, killRunning, parseSize, removeScratch, rssMethod } from './measure.ts';
import type { Report } from './report.ts';
import { restoreSuite } from './restore.ts';
import { snapshotSuite } from './snapshot.ts';

const suites = { snapshot: snapshotSuite, backup: backupSuite, restore: restoreSuite } as const;
type SuiteName = keyof typeof suites;

const usage = `usage: npm run bench -- [snapshot] [backup] [restore] [--size 1GiB] [--runs 3] [--markdown FILE] [--profile DIR] [--bundle]
  snapshot   issue 3: snapshot save / status / ls vs etcdctl and etcdutl
  backup     issue 4: lifeboat backup vs etcdctl and vs tar + gpg + upload
  restore    lifeboat fetch and verify --key vs download + gpg -d | tar + sha256sum
  (no suite runs all three)
  --size     etcd database size to fill to: 256MiB for a quick run, 1GiB (default), 4GiB
  --runs     runs per command; the median is reported (default 3)
  --markdown also write the tables and the machine to FILE
  --profile  after the measured runs, run each lifeboat command once more under
             node --cpu-prof, keep the .cpuprofile files in DIR and print where time went
  --bundle   run the esbuild bundle the agent image ships (built into the temp folder
             with packages/agent/build.ts) instead of the TypeScript sources`;

function parseArgs(argv: string[]) {
  const chosen: SuiteName[] = [];
  let size = GiB;
  let sizeLabel = '1GiB';
  let runs = 3;
  let markdown: string | undefined;
  let profile: string | undefined;
  let bundle = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--size') {
      sizeLabel = value();
      try {
        size = parseSize(sizeLabel);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    } else if (flag === '--runs') {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs needs a whole number ≥ 1');
    } else if (flag === '--markdown') markdown = value();
    else if (flag === '--profile') profile = value();
    else if (flag === '--bundle') bundle = true;
    else if (flag === '-h' || flag === '--help') {
      console.log(usage);
      process.exit(0);
    } else if (flag in suites) chosen.push(flag as SuiteName);
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  return {
    chosen: chosen.length ? [...new Set(chosen)] : (Object.keys(suites) as SuiteName[]),
    size,
    sizeLabel,
    runs,
    markdown,
    profile,
    bundle,
  };
}

class UsageError extends Error {}

function version(command: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? out.split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}

async function machine(cluster: EtcdCluster): Promise<string[]> {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const { gpg } = await ensureBinary('gpg');
  const { minio } = await ensureBinary('minio');
  return [
    `CPU: ${cpu}, ${availableParallelism()} cores (nproc); RAM ${formatBytes(totalmem())}; Linux ${release()}`,
    `Node ${process.version}; lifeboat ${version(process.execPath, [cli(), 'version'], /lifeboat (\S+)/)} ${cli() === sourceCli ? 'from source (packages/agent/src/cli.ts)' : 'bundled by packages/agent/build.ts (--bundle)'}, commit ${version('git', ['-C', root, 'describe', '--always', '--dirty'], /(\S+)/)} (uncommitted work in the tree is measured too)`,
    `etcd/etcdctl/etcdutl ${cluster.serverVersion}; GnuPG ${version(gpg!, ['--version'], /gpg \(GnuPG\) (\S+)/)}; ${version('tar', ['--version'], /^(tar .+)$/m)}; gzip ${version('gzip', ['--version'], /gzip (\S+)/)}; MinIO ${basename(dirname(minio!)).replace(/^minio-/, '')}`,
    `peak RSS from ${rssMethod === 'gnu-time' ? 'GNU time -f %M (ru_maxrss)' : 'polling /proc/<pid>/status VmHWM every 10 ms'}`,
  ];
}

/** etcd's default backend quota is 2 GiB: above ~1.5 GiB restart the member with a larger one. */
async function raiseQuota(cluster: EtcdCluster, bytes: number): Promise<void> {
  const member = cluster.members[0]!;
  await member.server.stop();
  member.server = await startServer({
    name: `etcd ${cluster.serverVersion} ${member.name} (quota ${formatBytes(bytes)})`,
    command: cluster.bin.etcd,
    args: [
      ...etcdFlags(member.options, join(member.tree.dir, 'pki')),
      '--initial-cluster-token=lifeboat-test',
      '--log-level=warn',
      `--quota-backend-bytes=${bytes}`,
    ],
    logFile: join(cluster.dir, member.name, 'etcd-quota.log'),
    env: { ETCD_UNSUPPORTED_ARCH: '' },
    ready: () => cluster.healthy(member),
  });
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n${usage}`);
    return 2;
  }
  if (options.profile) await mkdir(options.profile, { recursive: true });
  const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    killRunning();
    while (cleanups.length)
      await cleanups.pop()!().catch((err) => log(`clean-up: ${(err as Error).message}`));
    await removeScratch();
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    if (options.bundle) {
      const bundled = join(work, 'lifeboat');
      log(`bundling the CLI into ${bundled}`);
      execFileSync(process.execPath, [join(root, 'packages/agent/build.ts'), bundled], { stdio: 'inherit' });
      useCli(join(bundled, 'lifeboat.mjs'));
    }
    log('starting etcd 3.6 with kubeadm TLS');
    const cluster = await startEtcd({ version: '3.6' });
    cleanups.push(() => cluster.stop());
    // Before the fill, so the commit printed is the one the run started from.
    const header = await machine(cluster);
    if (options.size > 1.5 * GiB) await raiseQuota(cluster, Math.min(options.size * 2, 8 * GiB));

    log(`filling etcd with Kubernetes-shaped objects to ${formatBytes(options.size)}`);
    const fillStart = performance.now();
    let nextReport = 0.1;
    const filled = await fillEtcd(cluster, {
      targetBytes: options.size,
      onProgress: (r) => {
        if (r.dbSize >= nextReport * options.size) {
          log(`  ${formatBytes(r.dbSize)}, ${r.keys} keys`);
          nextReport = Math.floor((r.dbSize / options.size) * 10 + 1) / 10;
        }
      },
    });
    log(
      `filled: ${formatBytes(filled.dbSize)}, ${filled.keys} keys in ${((performance.now() - fillStart) / 1000).toFixed(0)} s`,
    );

    const ctx: Context = {
      cluster,
      work,
      runs: options.runs,
      dbSize: filled.dbSize,
      keys: filled.keys,
      sizeLabel: options.sizeLabel,
      profileDir: options.profile,
      defer: (fn) => cleanups.push(fn),
    };
    const reports: Report[] = [];
    for (const name of options.chosen) {
      log(`${name} suite`);
      const loadBefore = loadavg()[0]!.toFixed(2);
      const report = await suites[name](ctx, log);
      report.note(
        `load average (1 min) before the suite ${loadBefore}, after ${loadavg()[0]!.toFixed(2)} (${availableParallelism()} cores; anything else running on the machine shows here)`,
      );
      reports.push(report);
    }

    const text = [
      `## npm run bench -- ${options.chosen.join(' ')} --size ${options.sizeLabel} (${new Date().toISOString().slice(0, 16)}Z)`,
      '',
      ...header.map((h) => `- ${h}`),
      '',
      ...reports.flatMap((r) => [r.render(), '']),
    ].join('\n');
    console.log(`\n${text}`);
    if (options.markdown) await writeFile(options.markdown, text);
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    return 1;
  } finally {
    if (!interrupted) await cleanup();
  }
}

process.exitCode = await main();
