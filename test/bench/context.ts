// What both suites share: the filled etcd, a work folder, the lifeboat CLI
// from source, and how many times each command runs.
import { join } from 'node:path';
import type { EtcdCluster } from '../infra/etcd.ts';
import { measure, type Sample } from './measure.ts';

export const root = join(import.meta.dirname, '../..');
export const sourceCli = join(root, 'packages/agent/src/cli.ts');
let cliPath = sourceCli;
/** The lifeboat entry point the suites run: the sources (default) or a `--bundle` build. */
export function cli(): string {
  return cliPath;
}
export function useCli(path: string): void {
  cliPath = path;
}

export interface Context {
  cluster: EtcdCluster;
  /** Temp folder for snapshots and archives; removed at the end. */
  work: string;
  runs: number;
  dbSize: number;
  keys: number;
  sizeLabel: string;
  /** Where `--profile` keeps CPU profiles of one extra run of each lifeboat command. */
  profileDir: string | undefined;
  /** Registers a clean-up step, run at the end (last registered first), even on failure. */
  defer(fn: () => Promise<unknown>): void;
}

export function etcdTlsFlags(cluster: EtcdCluster): string[] {
  return [
    `--endpoints=${cluster.endpoints.join(',')}`,
    `--cacert=${cluster.tls.cacert}`,
    `--cert=${cluster.tls.cert}`,
    `--key=${cluster.tls.key}`,
  ];
}

export function lifeboat(args: string[], env?: NodeJS.ProcessEnv, stdout?: string) {
  return {
    command: process.execPath,
    args: [cliPath, ...args],
    ...(env && { env }),
    ...(stdout && { stdout }),
  };
}

/** Runs `ctx.runs` rounds; in each round every step runs once, the order rotating per round
 *  so none always runs first (page cache, etcd's own state). Returns the samples per step.
 *  A step that fails is reported in `failures` and not run again; the others go on. */
export async function rounds(
  ctx: Context,
  steps: { name: string; run: (round: number) => Promise<Sample> }[],
  log: (text: string) => void,
  failures?: Map<string, string>,
): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(steps.map((s) => [s.name, []]));
  for (let round = 0; round < ctx.runs; round++) {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[(i + round) % steps.length]!;
      if (failures?.has(step.name)) continue;
      try {
        const sample = await step.run(round);
        samples.get(step.name)!.push(sample);
        log(`  run ${round + 1}/${ctx.runs} ${step.name}: ${(sample.wallMs / 1000).toFixed(2)} s`);
      } catch (err) {
        if (!failures) throw err;
        const message = (err as Error).message;
        log(`  run ${round + 1}/${ctx.runs} ${step.name}: FAILED: ${message}`);
        failures.set(step.name, message.split('\n').slice(1).join(' ').trim() || message);
      }
    }
  }
  return samples;
}

export { measure };
