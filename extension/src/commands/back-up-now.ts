// "Back up now": a Job from a node's CronJob, as `kubectl create job
// --from=cronjob/…` makes it, then its outcome. The cluster is the kube
// context of the clicked source, or the kubeconfig's current context.
import { BatchV1Api, type KubeConfig, type V1CronJob } from '@kubernetes/client-node';
import { apiError } from '@lifeboat/agent/library';
import { LifeboatError } from '@lifeboat/core';
import * as vscode from 'vscode';
import { jobFromCronJob, jobOutcome, manualJobName } from '../cluster/job-from-cronjob.ts';
import { showLogAction } from '../notify.ts';
import { loadKubeconfig } from '../sources/clusters.ts';
import { sourceArg } from './arguments.ts';
import type { ExtensionCommand, Services } from './command.ts';

const agentSelector = 'app.kubernetes.io/name=lifeboat';

function batchApi(kubeconfig: string, context: string): { api: BatchV1Api; kc: KubeConfig } {
  const kc = loadKubeconfig(kubeconfig || undefined);
  kc.setCurrentContext(context);
  return { api: kc.makeApiClient(BatchV1Api), kc };
}

async function pickCronJobs(cronJobs: V1CronJob[], context: string): Promise<V1CronJob[] | undefined> {
  if (cronJobs.length === 1) return cronJobs;
  const items = cronJobs.map((c) => ({
    label: c.metadata?.name ?? '?',
    description: c.spec?.jobTemplate.spec?.template.spec?.nodeSelector?.['kubernetes.io/hostname'] ?? '',
    detail: c.spec?.schedule ? `schedule ${c.spec.schedule}` : undefined,
    picked: true,
    cronJob: c,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Lifeboat: back up now in ${context}`,
    placeHolder: 'The nodes to back up (one Job each)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return picked?.map((p) => p.cronJob);
}

async function waitForJob(
  api: BatchV1Api,
  namespace: string,
  name: string,
  token: vscode.CancellationToken,
  timeoutMs: number,
): Promise<ReturnType<typeof jobOutcome> | { state: 'timeout' } | { state: 'stopped-waiting' }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (token.isCancellationRequested) return { state: 'stopped-waiting' };
    const outcome = jobOutcome(await api.readNamespacedJob({ name, namespace }));
    if (outcome.state !== 'running') return outcome;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return { state: 'timeout' };
}

export const backUpNow: ExtensionCommand = {
  id: 'lifeboat.backUpNow',
  async run(s: Services, arg) {
    const settings = s.settings();
    const source = sourceArg(arg);
    const context =
      source?.source.origin.kind === 'cluster'
        ? source.source.origin.context
        : loadKubeconfig(settings.kubeconfig || undefined).getCurrentContext();
    if (!context)
      throw new LifeboatError(
        'config',
        'the kubeconfig has no current context: pick one with kubectl config use-context',
      );
    const namespace = settings.namespace;
    const { api } = batchApi(settings.kubeconfig, context);
    let cronJobs: V1CronJob[];
    try {
      cronJobs = (await api.listNamespacedCronJob({ namespace, labelSelector: agentSelector })).items;
    } catch (err) {
      throw new LifeboatError('config', `cannot list CronJobs in ${context}/${namespace}: ${apiError(err)}`);
    }
    if (cronJobs.length === 0) {
      throw new LifeboatError(
        'not-found',
        `no Lifeboat CronJob (${agentSelector}) in namespace ${namespace} of ${context}: install the manifests (kubectl apply -k manifests/overlays/…) or set lifeboat.namespace`,
      );
    }
    const chosen = await pickCronJobs(cronJobs, context);
    if (!chosen?.length) return;
    const now = new Date();
    const jobs: string[] = [];
    for (const cronJob of chosen) {
      const name = manualJobName(cronJob.metadata!.name!, now);
      try {
        await api.createNamespacedJob({ namespace, body: jobFromCronJob(cronJob, name) });
      } catch (err) {
        throw new LifeboatError(
          'config',
          `cannot create Job ${namespace}/${name} in ${context}: ${apiError(err)}`,
        );
      }
      s.log.info(`${context}: created Job ${namespace}/${name} from CronJob ${cronJob.metadata!.name}`);
      jobs.push(name);
    }
    const outcomes = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Lifeboat: backing up ${context} (${jobs.join(', ')})`,
        cancellable: true,
      },
      (_progress, token) => Promise.all(jobs.map((j) => waitForJob(api, namespace, j, token, 15 * 60_000))),
    );
    const lines = jobs.map((j, i) => {
      const o = outcomes[i]!;
      return o.state === 'failed' ? `${j} failed: ${o.reason}` : `${j} ${o.state}`;
    });
    for (const line of lines) s.log.info(`${context}: Job ${line}`);
    s.backups.refresh();
    if (outcomes.every((o) => o.state === 'succeeded')) {
      void vscode.window.showInformationMessage(
        `Lifeboat: backup of ${context} succeeded (${jobs.join(', ')}).`,
      );
      return;
    }
    const stillRunning = outcomes.some((o) => o.state === 'stopped-waiting' || o.state === 'timeout');
    const text = `Lifeboat: backup of ${context}: ${lines.join('; ')}${stillRunning ? ` — follow it with kubectl -n ${namespace} get jobs` : ''}`;
    const show = outcomes.some((o) => o.state === 'failed')
      ? vscode.window.showErrorMessage
      : vscode.window.showWarningMessage;
    const choice = await show(text, showLogAction);
    if (choice === showLogAction) s.log.show(true);
  },
};

export const forgetPassphrases: ExtensionCommand = {
  id: 'lifeboat.forgetPassphrases',
  async run({ keys }) {
    const n = await keys.forgetPassphrases();
    void vscode.window.showInformationMessage(
      `Lifeboat: forgot ${n} stored passphrase${n === 1 ? '' : 's'}.`,
    );
  },
};
