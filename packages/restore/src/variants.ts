// Other roads through a restore, offered in the runbook when they apply. They
// are prose and commands for a human, not part of the scripts: each needs a
// judgement (which member is intact? is that db consistent?) a script cannot make.
import type { MemberPlan, RestorePlan, Variant } from './plan-types.ts';
import { shellQuote as q, shellCommand } from './shell.ts';
import type { StepContext } from './steps/context.ts';
import { restoreArgv } from './steps/restore.ts';

type PlanBase = Omit<RestorePlan, 'variants' | 'prelude'>;

function rawDbVariant(plan: PlanBase, first: MemberPlan, context: StepContext): Variant {
  const copy = '/root/etcd-member-db';
  const argv = restoreArgv({ ...context, plan: { ...context.plan, snapshot: copy, skipHashCheck: true } });
  return {
    id: 'raw-db',
    title: 'Restoring from a raw member/snap/db (no usable backup)',
    when: plan.skipHashCheck
      ? 'This plan already restores from a raw database file: everything below applies to it.'
      : 'No backup can be used, but a node still has etcd data: the bbolt file member/snap/db inside its data dir.',
    parts: [
      {
        text: '**A raw db has no sha256 trailer, so etcdutl must be told `--skip-hash-check`: NOTHING verifies the file.** Copy it only while etcd is stopped on that node (a copy of a running etcd may be torn), and read it once before trusting it: `lifeboat snapshot status` walks every page and fails on damage.',
        commands: [
          shellCommand(['cp', `${first.oldDataDir}/member/snap/db`, copy]),
          shellCommand(['lifeboat', 'snapshot', 'status', copy]),
        ],
      },
      {
        text: `Then either generate a plan for it (\`lifeboat restore-plan --bundle DIR --snapshot ${copy}\` adds --skip-hash-check everywhere), or run the restore step with it by hand, per member:`,
        commands: [shellCommand(argv)],
      },
    ],
  };
}

function forceNewClusterVariant(plan: PlanBase, context: StepContext): Variant {
  const [intact, ...others] = plan.members;
  const i = intact!;
  const tls = i.etcdctlTls;
  const etcdctl = (endpoint: string, ...args: string[]) =>
    shellCommand([
      'etcdctl',
      `--endpoints=${endpoint}`,
      ...(tls ? [`--cacert=${tls.cacert}`, `--cert=${tls.cert}`, `--key=${tls.key}`] : []),
      ...args,
    ]);
  const manifests = `${context.plan.kubernetesDir}/manifests`;
  return {
    id: 'force-new-cluster',
    title: 'Quorum lost, one member intact: --force-new-cluster instead of a backup',
    when: `Most members are gone but one member's data dir is intact and newer than the backup. The commands use ${i.name} as the intact member: substitute the one that survived.`,
    parts: [
      {
        text: `1. Stop kube-apiserver and etcd on every control-plane node (move the manifests aside, as the scripts do). On ${i.name}, keep a copy of the data dir before anything else:`,
        commands: [shellCommand(['cp', '-a', i.oldDataDir, `${i.oldDataDir}.before-force-new-cluster`])],
      },
      {
        text: `2. On ${i.name}, add \`- --force-new-cluster\` to the etcd command in the moved-aside etcd.yaml, put it back in ${manifests}, and wait until etcd is healthy. etcd rewrites its membership to itself alone, keeping all data.`,
        commands: [
          etcdctl(i.clientUrl, 'endpoint', 'health'),
          etcdctl(i.clientUrl, 'member', 'list', '-w', 'table'),
        ],
      },
      {
        text: `3. **Remove \`--force-new-cluster\` from ${manifests}/etcd.yaml again** as soon as etcd is healthy (kubelet restarts etcd): left in, every restart would throw away the membership again.`,
      },
      {
        text: `4. Re-add the other members one at a time. For each: on its node, move its old data dir away; on ${i.name}, add it; on its node, set \`--initial-cluster-state=existing\` and the \`--initial-cluster\` that \`member add\` prints in its etcd.yaml, put etcd.yaml back, and wait until it is healthy before the next one.`,
        commands: others.flatMap((m) => [
          `# on ${m.name}:`,
          shellCommand(['mv', m.oldDataDir, `${m.oldDataDir}.before-rejoin`]),
          `# on ${i.name}:`,
          etcdctl(i.clientUrl, 'member', 'add', m.name, `--peer-urls=${m.peerUrl}`),
        ]),
      },
      {
        text: "5. Bring back the other static pods and restart kubelet on every node, as in the scripts' last steps. No revision bump is needed: the intact member never went back in time.",
        commands: [`${etcdctl(i.clientUrl, 'endpoint', 'status', '--cluster', '-w', 'table')}`],
      },
    ],
  };
}

function pkiVariant(plan: PlanBase): Variant {
  const bundle = plan.source.bundleDir;
  const k = plan.kubernetesDir;
  const node = plan.backup.node ?? plan.members[0]!.name;
  return {
    id: 'pki',
    title: 'Rebuilt node: restore /etc/kubernetes/pki and the kubeconfigs from the backup',
    when: `The node was reinstalled and lost ${k}. The bundle holds the /etc/kubernetes of ${node} only: its leaf certificates name that node, so use each node's own backup for the others, or regenerate their leaf certificates with kubeadm from the restored CAs.`,
    parts: [
      {
        text: 'Run this before the restore script: etcd needs its certificates to start, and the script expects the static-pod manifests in place. kubelet stays stopped meanwhile, so nothing starts on the old, empty data dir; the script starts it again when etcd.yaml is back. Modes and owners are kept from the backup.',
        commands: [
          'systemctl stop kubelet || true',
          shellCommand(['install', '-d', '-m', '0755', k, `${k}/manifests`]),
          `cp -a ${q(`${bundle}/kubernetes/pki`)} ${q(`${k}/`)}`,
          `for conf in ${q(`${bundle}/kubernetes`)}/*.conf; do cp -a -- "$conf" ${q(`${k}/`)}; done`,
          `cp -a ${q(`${bundle}/kubernetes/manifests`)}/*.yaml ${q(`${k}/manifests/`)}`,
        ],
      },
    ],
  };
}

/** The variants that apply to this plan. */
export function variantsFor(plan: PlanBase, context: StepContext): Variant[] {
  const variants = [rawDbVariant(plan, plan.members[0]!, context)];
  if (plan.members.length > 1) variants.push(forceNewClusterVariant(plan, context));
  if (plan.certificates.length > 0) variants.push(pkiVariant(plan));
  return variants;
}
