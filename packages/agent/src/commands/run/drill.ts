// What `lifeboat drill` does once its flags are parsed; loaded on demand (see ../drill.ts).
import { LifeboatError } from '@lifeboat/core';
import type { Io } from '../../io.ts';
import { logger } from '../../log.ts';
import { runDrill } from '../../operations/drill.ts';
import { readerKeys } from '../../operations/keys.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { json } from '../../output.ts';
import type { DrillArgs } from '../drill.ts';

export async function drill(args: DrillArgs, io: Io): Promise<number> {
  const log = logger(io);
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const report = await runDrill({
    store,
    id: args.id,
    ...(args.cluster ? { cluster: args.cluster } : {}),
    ...(args.node ? { node: args.node } : {}),
    privateKeys: keys.privateKeys,
    verificationKeys: keys.verificationKeys,
    ...(args.etcd ? { etcd: args.etcd } : {}),
    ...(args.etcdutl ? { etcdutl: args.etcdutl } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onStep: (step) => log.info(step),
  });
  if (args.output === 'json') io.stdout(json(report));
  else {
    io.stdout(
      `drill of backup ${report.id} of ${report.cluster}/${report.node}: ${report.ok ? 'PASSED' : 'FAILED'} in ${Math.round(report.durationMs / 1000)}s\n`,
    );
    for (const c of report.checks) io.stdout(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name}: ${c.detail}\n`);
  }
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok);
    throw new LifeboatError(
      'integrity',
      `drill FAILED for backup ${report.id}: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
    );
  }
  return 0;
}
