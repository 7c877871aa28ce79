// What `lifeboat restore-plan` does once its flags are parsed; loaded on demand (see ../restore-plan.ts).
import { relative } from 'node:path';
import { parseMembers } from '@lifeboat/restore';
import type { Io } from '../../io.ts';
import { progressLine } from '../../log.ts';
import { readerKeys } from '../../operations/keys.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { type RestorePlanOptions, restorePlan } from '../../operations/restore-plan.ts';
import { json } from '../../output.ts';
import type { RestorePlanArgs } from '../restore-plan.ts';

export async function restorePlanCli(args: RestorePlanArgs, io: Io): Promise<number> {
  // First, as when it was part of flag parsing: a bad list is a usage error before anything is read.
  const members = args.members !== undefined ? parseMembers(args.members) : undefined;
  let store: RestorePlanOptions['store'];
  const out = args.out ?? 'restore-plan';
  const progress = progressLine(io, 'restore-plan');
  if (args.reader) {
    const r = args.reader;
    const opened = await storeFromSettings(
      { store: r.store, ...(r.resticPasswordFile ? { 'restic-password-file': r.resticPasswordFile } : {}) },
      io.env,
    );
    const keys = await readerKeys(r, io.env);
    store = {
      store: opened,
      url: r.store!,
      id: r.id,
      ...(r.cluster ? { cluster: r.cluster } : {}),
      ...(r.node ? { node: r.node } : {}),
      privateKeys: keys.privateKeys,
      verificationKeys: keys.verificationKeys,
      keyPath: r.keys[0]!,
      signerKeyPaths: r.signerKeys,
      ...(r.passphraseFile ? { passphraseFile: r.passphraseFile } : {}),
      ...(r.resticPasswordFile ? { resticPasswordFile: r.resticPasswordFile } : {}),
      ...(args.fetchDir ? { fetchDir: args.fetchDir } : {}),
      onProgress: progress.update,
    };
  }
  let result: Awaited<ReturnType<typeof restorePlan>>;
  try {
    result = await restorePlan({
      ...args.options,
      ...(members ? { members } : {}),
      ...(args.bundle ? { bundle: args.bundle } : {}),
      ...(store ? { store } : {}),
      out,
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } finally {
    progress.clear();
  }
  const { plan, written } = result;
  if (args.output === 'json') {
    io.stdout(
      json({
        dir: written.dir,
        runbook: written.runbook,
        scripts: written.scripts,
        manifests: written.manifests,
        plan: written.json,
        warnings: plan.warnings,
      }),
    );
    return 0;
  }
  const name = (path: string) => relative(written.dir, path);
  const lines = [
    `restore plan written to ${written.dir}`,
    `  ${name(written.runbook)}  read this first: ${written.runbook}`,
    ...plan.members.map((m, i) => `  ${name(written.scripts[i]!)}  run as root on the node of ${m.name}`),
    ...written.manifests.map((path) => `  ${name(path)}`),
  ];
  if (plan.warnings.length > 0) {
    lines.push('', `${plan.warnings.length} warning(s):`, ...plan.warnings.map((w) => `  ! ${w.message}`));
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
