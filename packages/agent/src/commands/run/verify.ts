// What `lifeboat verify` does once its flags are parsed; loaded on demand (see ../verify.ts).
import { LifeboatError } from '@lifeboat/core';
import type { Io } from '../../io.ts';
import { progressLine } from '../../log.ts';
import { readerKeys } from '../../operations/keys.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { verifyBackup } from '../../operations/verify.ts';
import { json } from '../../output.ts';
import { streamingPipelineGcs } from '../../young-gc.ts';
import type { VerifyArgs } from '../verify.ts';

export async function verify(args: VerifyArgs, io: Io): Promise<number> {
  streamingPipelineGcs();
  const store = await storeFromSettings(
    {
      store: args.store,
      ...(args.resticPasswordFile ? { 'restic-password-file': args.resticPasswordFile } : {}),
    },
    io.env,
  );
  const keys = await readerKeys(args, io.env);
  const progress = progressLine(io, 'verify');
  let report: Awaited<ReturnType<typeof verifyBackup>>;
  try {
    report = await verifyBackup({
      store,
      id: args.id,
      ...(args.cluster ? { cluster: args.cluster } : {}),
      ...(args.node ? { node: args.node } : {}),
      ...(keys.privateKeys.length ? { privateKeys: keys.privateKeys } : {}),
      verificationKeys: keys.verificationKeys,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (args.output === 'json') io.stdout(json(report));
  else {
    io.stdout(`backup ${report.id} of ${report.cluster}/${report.node}\n`);
    for (const c of report.checks) io.stdout(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name}: ${c.detail}\n`);
    if (!args.keys.length)
      io.stdout('  (contents not checked: pass --key PRIVATE.asc to decrypt and check the snapshot)\n');
  }
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    throw new LifeboatError('integrity', `backup ${report.id} failed verification: ${failed.join(', ')}`);
  }
  return 0;
}
