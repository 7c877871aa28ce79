// Wall time and peak RSS of one child process. Peak RSS comes from GNU time
// (`/usr/bin/time -f %M`, the kernel's ru_maxrss of the child and its waited-for
// descendants, exact); without it, from polling /proc/<pid>/status VmHWM, which
// can miss a spike in the last poll interval and sees only that one process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gnuTime = '/usr/bin/time';
export const rssMethod: 'gnu-time' | 'proc-poll' = existsSync(gnuTime) ? 'gnu-time' : 'proc-poll';

export interface Command {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout goes: a file path, or discarded. */
  stdout?: string;
}

export interface Sample {
  wallMs: number;
  /** Peak resident set size in bytes. */
  peakRss: number;
  /** CPU time, user + system, of the process and its children (0 when unknown). */
  cpuMs: number;
  stdout?: string;
}

let scratch: string | undefined;
async function scratchDir(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'lifeboat-bench-measure-'));
  return scratch;
}
export async function removeScratch(): Promise<void> {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
}

async function vmHwm(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

let counter = 0;
const running = new Set<ChildProcess>();

let stopped = false;

/** Kills the command being measured (on Ctrl-C or failure); no command starts after this. */
export function killRunning(): void {
  stopped = true;
  for (const child of running) child.kill('SIGKILL');
}

/** Runs the command once; throws with the tail of stderr when it fails. */
export async function measure(c: Command): Promise<Sample> {
  if (stopped) throw new Error('the benchmark is stopping');
  const dir = await scratchDir();
  const n = counter++;
  const rssFile = join(dir, `rss-${n}`);
  const errFile = join(dir, `stderr-${n}`);
  const [command, args] =
    rssMethod === 'gnu-time'
      ? [gnuTime, ['-f', '%M %U %S', '-o', rssFile, '--', c.command, ...c.args]]
      : [c.command, c.args];
  const err = createWriteStream(errFile);
  const out = c.stdout ? createWriteStream(c.stdout) : undefined;
  await Promise.all(
    [err, out].filter((s) => s !== undefined).map((s) => new Promise((r) => s.once('open', r))),
  );
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: c.cwd,
    env: { ...process.env, ...c.env },
    stdio: ['ignore', out ?? 'ignore', err],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let polled = 0;
  const poll =
    rssMethod === 'proc-poll'
      ? setInterval(() => {
          if (child.pid) void vmHwm(child.pid).then((v) => (polled = Math.max(polled, v)));
        }, 10)
      : undefined;
  const code = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status, signal) => resolve(status ?? signal ?? 'unknown'));
  });
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  await Promise.all([err, out].filter((s) => s !== undefined).map((s) => new Promise((r) => s.end(r))));
  if (code !== 0) {
    const tail = (await readFile(errFile, 'utf8').catch(() => ''))
      .trimEnd()
      .split('\n')
      .slice(-15)
      .join('\n');
    throw new Error(`${c.command} ${c.args.join(' ')} exited with ${code}:\n${tail}`);
  }
  let peakRss = polled;
  let cpuMs = 0;
  if (rssMethod === 'gnu-time') {
    const [rss, user, sys] = (await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)!.split(' ');
    peakRss = Number(rss) * 1024;
    cpuMs = (Number(user) + Number(sys)) * 1000;
  }
  return { wallMs, peakRss, cpuMs };
}

/** Commands run one after another as one step: their times summed, the largest peak RSS. */
export function sequence(parts: Sample[]): Sample {
  return {
    wallMs: parts.reduce((sum, p) => sum + p.wallMs, 0),
    peakRss: Math.max(...parts.map((p) => p.peakRss)),
    cpuMs: parts.reduce((sum, p) => sum + p.cpuMs, 0),
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|K|M|G|KB|MB|GB)?$/i.exec(text.trim());
  if (!m) throw new Error(`cannot read the size "${text}" (e.g. 256MiB, 1GiB, 4GiB)`);
  const unit = (m[2] ?? 'B').toUpperCase().replace('IB', '').replace(/B$/, '');
  const factor = { '': 1, K: KiB, M: MiB, G: GiB }[unit]!;
  return Math.round(Number(m[1]) * factor);
}

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / KiB).toFixed(0)} KiB`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
