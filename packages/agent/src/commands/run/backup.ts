// What `lifeboat backup` does once its flags are parsed; loaded on demand (see ../backup.ts).
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type Compression, LifeboatError, validateName } from '@lifeboat/core';
import { loadRecipients, loadSigningKey } from '@lifeboat/pgp';
import { loadSettings, type Settings } from '../../config/load.ts';
import type { Io } from '../../io.ts';
import { type ReportTarget, reportOutcome } from '../../kubernetes/report.ts';
import { type Logger, logger, mib, progressLine } from '../../log.ts';
import { runBackup } from '../../operations/backup.ts';
import { storeFromSettings } from '../../operations/open-store.ts';
import { policyFromSettings } from '../../operations/policy.ts';
import { runPrune } from '../../operations/prune.ts';
import { resolveConnection } from '../../operations/snapshot-save.ts';
import { json } from '../../output.ts';
import { lifeboatVersion } from '../../version.ts';
import { streamingPipelineGcs } from '../../young-gc.ts';
import { type BackupArgs, backupSettings as fields } from '../backup.ts';

function text(settings: Settings, name: string): string | undefined {
  const v = settings[name];
  return typeof v === 'string' ? v : undefined;
}

async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw new LifeboatError(
      'config',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

export async function backup(args: BackupArgs, io: Io): Promise<number> {
  streamingPipelineGcs();
  const log = logger(io);
  const settings = await loadSettings(fields, {
    flags: args.flags,
    env: io.env,
    ...(args.config ? { file: args.config } : {}),
  });
  const cluster = validateName('cluster', text(settings, 'cluster') ?? 'kubernetes');
  const node = validateName('node', text(settings, 'node') ?? hostname().toLowerCase().split('.')[0]!);
  // In-cluster reporting: one reportOutcome() call on success and one on failure (src/kubernetes/report.ts).
  const report = reportTarget(settings, io.env, cluster, node);
  const started = Date.now();
  let taken: Awaited<ReturnType<typeof takeBackup>>;
  try {
    taken = await takeBackup(settings, io, log, cluster, node);
  } catch (err) {
    await reportOutcome(report, { ok: false, error: err, durationMs: Date.now() - started }, log);
    throw err;
  }
  const { result, policy, store } = taken;
  const m = result.metadata;
  await reportOutcome(
    report,
    { ok: true, id: m.id, bytes: m.payload.size, revision: m.etcd.revision, durationMs: result.durationMs },
    log,
  );
  for (const s of result.skipped) log.warn(`left out of the bundle: ${s}`);
  log.info('backup complete', {
    id: m.id,
    payload: result.keys.payload,
    size: m.payload.size,
    revision: m.etcd.revision,
    dbSize: m.etcd.dbSize,
    etcd: m.etcd.serverVersion,
    seconds: Math.round(result.durationMs / 100) / 10,
  });
  if (args.output === 'json') io.stdout(json(m));
  else {
    io.stdout(
      `backup ${m.id} of ${cluster}/${node}: ${mib(m.payload.size)} encrypted to ${m.payload.recipients.length} key(s), ` +
        `etcd ${m.etcd.serverVersion} revision ${m.etcd.revision}, ${m.kubernetes.files} files of /etc/kubernetes\n`,
    );
  }
  if (!policy) return 0;
  // Only after a successful backup: a failed run never deletes anything.
  const pruned = await runPrune({ store, policy, cluster, node });
  log.info('retention applied', { kept: pruned.plan.keep.length, deleted: pruned.deleted.length });
  for (const r of pruned.refused) log.warn(`could not delete backup ${r.backup.id}: ${r.reason}`);
  return 0;
}

function reportTarget(settings: Settings, env: Io['env'], cluster: string, node: string): ReportTarget {
  const kubeconfig = text(settings, 'kubeconfig');
  const namespace = text(settings, 'namespace');
  const jobName = text(settings, 'job-name');
  const pushgateway = text(settings, 'pushgateway');
  const metricsTextfileDir = text(settings, 'metrics-textfile-dir');
  const store = text(settings, 'store');
  return {
    cluster,
    node,
    env,
    ...(store ? { store } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(namespace ? { namespace } : {}),
    ...(jobName ? { jobName } : {}),
    ...(pushgateway ? { pushgateway } : {}),
    ...(metricsTextfileDir ? { metricsTextfileDir } : {}),
  };
}

/** Everything from reading keys and certificates to the uploaded backup: what reportOutcome reports on. */
async function takeBackup(settings: Settings, io: Io, log: Logger, cluster: string, node: string) {
  const kubernetesDir = text(settings, 'kubernetes-dir') ?? '/etc/kubernetes';
  const compression = (text(settings, 'compression') ?? 'zstd') as Compression;
  if (!['zstd', 'gzip', 'none'].includes(compression)) {
    throw new LifeboatError('usage', `--compression ${compression}: use zstd, gzip or none`);
  }
  const recipientPaths = (settings['recipient'] as string[] | undefined) ?? [];
  if (recipientPaths.length === 0) {
    throw new LifeboatError(
      'usage',
      'no recipients: pass --recipient FILE|DIR with the public key(s) to encrypt to (LIFEBOAT_RECIPIENT, or recipient: in the config file)',
    );
  }
  const { recipients, warnings } = await loadRecipients(recipientPaths);
  for (const w of warnings) log.warn(w);
  const signingKeyPath = text(settings, 'signing-key');
  const passphraseFile = text(settings, 'signing-key-passphrase-file');
  const passphrase = passphraseFile
    ? await readSecretFile(passphraseFile, '--signing-key-passphrase-file')
    : io.env['LIFEBOAT_SIGNING_KEY_PASSPHRASE'];
  const signingKey = signingKeyPath
    ? await loadSigningKey(signingKeyPath, passphrase !== undefined ? { passphrase } : {})
    : undefined;
  const policy = policyFromSettings(settings);
  const store = await storeFromSettings(settings, io.env);
  const endpoints = settings['endpoints'] as string[] | undefined;
  const etcd = await resolveConnection(
    {
      ...(endpoints ? { endpoints: endpoints.join(',') } : {}),
      ...(text(settings, 'cacert') ? { cacert: text(settings, 'cacert')! } : {}),
      ...(text(settings, 'cert') ? { cert: text(settings, 'cert')! } : {}),
      ...(text(settings, 'key') ? { key: text(settings, 'key')! } : {}),
      ...(text(settings, 'user') ? { user: text(settings, 'user')! } : {}),
      ...(text(settings, 'password-file') ? { passwordFile: text(settings, 'password-file')! } : {}),
    },
    io.env,
    kubernetesDir,
    io.signal,
  );
  log.info('backup started', { cluster, node, store: store.location, recipients: recipients.length });
  const progress = progressLine(io, 'snapshot');
  let result: Awaited<ReturnType<typeof runBackup>>;
  try {
    result = await runBackup({
      store,
      cluster,
      node,
      kubernetesDir,
      etcd,
      recipients,
      ...(signingKey ? { signingKey } : {}),
      compression,
      agentVersion: lifeboatVersion,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  return { result, policy, store };
}
