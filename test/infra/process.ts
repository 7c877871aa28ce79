// Starting and stopping the real servers: output goes to a log file (shown
// when a server fails to come up), readiness is polled, and every child is
// killed when the test process exits, however it exits.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A worker killed hard never runs its exit handler; the suite's global
 * teardown then kills whatever pids were recorded here (see global-setup.ts).
 * Also for processes a library starts (Chromium under Playwright): command is
 * the process's argv[0], as /proc/<pid>/cmdline shows it.
 */
export function recordPid(pid: number | undefined, command: string): void {
  const registry = process.env.LIFEBOAT_PID_REGISTRY;
  if (registry && pid) appendFileSync(registry, `${pid} ${command}\n`);
}

/** Kills recorded servers still running — only if the pid still runs the recorded command (pids get reused). */
export function killRecorded(registry: string): number {
  let killed = 0;
  const text = existsSync(registry) ? readFileSync(registry, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const space = line.indexOf(' ');
    const pid = Number(line.slice(0, space));
    const command = line.slice(space + 1);
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      if (argv0 !== command) continue;
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

export interface Server {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the server serves; polled until timeoutMs. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function tail(file: string, lines = 25): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startServer(o: StartOptions): Promise<Server> {
  const log = createWriteStream(o.logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', log, log],
  });
  running.add(child);
  recordPid(child.pid, o.command);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  child.once('exit', () => {
    running.delete(child);
  });

  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    }
    log.end();
  };
  const kill = async () => {
    child.kill('SIGKILL');
    await exited(child);
    log.end();
  };

  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`${o.name}: could not start ${o.command}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${o.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${await tail(o.logFile)}`,
      );
    }
    if (await o.ready().catch(() => false)) return { name: o.name, child, logFile: o.logFile, stop, kill };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop(1000);
  throw new Error(
    `${o.name} was not ready within ${(o.timeoutMs ?? 60_000) / 1000}s:\n${await tail(o.logFile)}`,
  );
}
