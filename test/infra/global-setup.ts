// Runs once around the infra and e2e suites: builds any missing server
// binaries up front, so no suite's hook times out during a first build; and
// afterwards kills any server a crashed test worker left running.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAllBinaries } from './binaries.ts';
import { killRecorded } from './process.ts';

export default async function setup(): Promise<() => void> {
  await ensureAllBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-run-'));
  const registry = join(dir, 'pids');
  process.env.LIFEBOAT_PID_REGISTRY = registry;
  return () => {
    const killed = killRecorded(registry);
    if (killed > 0) process.stderr.write(`lifeboat infra: killed ${killed} server(s) a test left running\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
