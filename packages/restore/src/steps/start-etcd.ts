// etcd comes back first and alone: kube-apiserver started against an etcd that
// is not serving yet only crash-loops and muddies the logs.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import { manifestsDir, type StepContext } from './context.ts';

export function etcdctlArgs(c: StepContext): string[] {
  const tls = c.member.etcdctlTls;
  return [
    `--endpoints=${c.member.clientUrl}`,
    ...(tls ? [`--cacert=${tls.cacert}`, `--cert=${tls.cert}`, `--key=${tls.key}`] : []),
  ];
}

export function startEtcdStep(c: StepContext): PlanStep {
  const multi = c.plan.memberNames.length > 1;
  const wait = multi ? 900 : 300;
  const args = etcdctlArgs(c);
  return {
    id: 'start-etcd',
    title: 'Start etcd and wait until it is healthy',
    why: `The edited etcd.yaml goes back alone, so kubelet starts etcd on the restored data dir before anything that depends on it.${multi ? ` A member reports healthy only once a majority of ${c.plan.memberNames.join(', ')} runs: start the others within ${wait / 60} minutes.` : ''} etcdctl uses kubeadm's healthcheck-client certificate (from the host, or inside the etcd container when etcdctl is not installed).`,
    commands: [
      `install -m 0600 "$ASIDE/etcd.yaml.restored" ${q(`${manifestsDir(c)}/etcd.yaml`)}`,
      // A rebuilt node's kubelet may have been stopped while its files were restored.
      'systemctl is-active --quiet kubelet || systemctl start kubelet',
      `retry ${wait} 5 etcdctl_ ${args.map(q).join(' ')} endpoint health || fail ${q(`etcd is not healthy ${wait / 60} minutes after its manifest came back: check "crictl ps -a --name etcd" and "crictl logs <id>"`)}`,
      `etcdctl_ ${args.map(q).join(' ')} endpoint status -w table`,
      `etcdctl_ ${args.map(q).join(' ')} member list -w table`,
    ],
  };
}
