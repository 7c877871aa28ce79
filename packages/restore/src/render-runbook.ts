// The plan as Markdown for the person running it: what will happen and why,
// warnings first, then each member's steps with their exact commands, the
// etcd.yaml edits as diffs, and the variants that apply.
import type { MemberPlan, PlanStep, RestorePlan } from './plan-types.ts';
import { scriptName } from './steps/context.ts';

/** A fenced block whose fence is longer than any backtick run inside. */
function fence(body: string, lang = ''): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${body.replace(/\n$/, '')}\n${f}`;
}

/** Table cells cannot hold | or line breaks. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

// The embedded etcd.yaml makes the manifest step long: the runbook shows the
// diff instead and points at the edited file.
function shownCommands(step: PlanStep, member: MemberPlan): string {
  return step.commands
    .map((command) => {
      const heredoc = /^(cat >.*<<'(\w+)')\n([\s\S]*)\n\2$/.exec(command);
      if (!heredoc) return command;
      const lines = heredoc[3]!.split('\n').length;
      return `${heredoc[1]}\n# … ${lines} lines: the content of etcd.yaml.${member.name}.edited …\n${heredoc[2]}`;
    })
    .join('\n');
}

function overview(plan: RestorePlan): string {
  const b = plan.backup;
  const rows: string[][] = [
    ['Backup', b.id ? `${b.id}${b.created ? ` (taken ${b.created})` : ''}` : 'unknown (no metadata)'],
  ];
  if (b.cluster) rows.push(['Cluster / node', `${b.cluster} / ${b.node}`]);
  if (b.payloadKey) rows.push(['Payload', `\`${b.payloadKey}\``]);
  rows.push([
    'etcd version',
    b.serverVersion ? `${b.serverVersion} (from the ${b.serverVersionFrom})` : 'unknown',
  ]);
  if (b.revision !== undefined) {
    rows.push([
      'Revision',
      `${b.revision} at backup${plan.bumpRevision > 0 ? `; at least ${b.revision + plan.bumpRevision} after the restore` : ''}`,
    ]);
  }
  rows.push([
    'Snapshot on the nodes',
    `\`${plan.snapshot}\`${plan.skipHashCheck ? ' — **raw db, no integrity check**' : ''}`,
  ]);
  rows.push([
    'Backup comes from',
    plan.source.fetch
      ? `\`lifeboat fetch --store ${plan.source.fetch.store} ${plan.source.fetch.id}\` into \`${plan.source.bundleDir}\` on each node`
      : `the folder \`${plan.source.bundleDir}\`, which must exist on every node`,
  ]);
  rows.push([
    'Members',
    `${plan.members.map((m) => `${m.name} (${m.peerUrl})`).join(', ')} — from ${plan.topologySource}`,
  ]);
  rows.push(['Cluster token', `\`${plan.token}\``]);
  rows.push([
    'Revision bump',
    plan.bumpRevision > 0
      ? `${plan.bumpRevision}, with --mark-compacted`
      : 'none (revisions may go backwards for clients)',
  ]);
  return table(['', ''], rows);
}

function warningsSection(plan: RestorePlan): string {
  if (plan.warnings.length === 0) return '## Warnings\n\nNone.';
  return `## Warnings\n\n${plan.warnings.map((w) => `- **${w.code}**: ${w.message}`).join('\n')}`;
}

function certificatesSection(plan: RestorePlan): string {
  if (plan.certificates.length === 0) return '';
  const rows = plan.certificates.map((c) => [
    `\`${c.path}\``,
    c.subject,
    c.notAfter?.slice(0, 10) ?? '',
    c.daysLeft === undefined ? '' : String(c.daysLeft),
    c.state === 'ok' ? 'ok' : `**${c.state}**`,
  ]);
  return `## Certificates in the backup\n\nExpiry as of ${plan.generatedAt.slice(0, 10)}; a control plane restored with expired certificates does not come back (\`kubeadm certs renew\`).\n\n${table(['file', 'subject', 'expires', 'days left', 'state'], rows)}`;
}

function orderSection(plan: RestorePlan): string {
  const first = plan.members[0]!;
  const titles = first.steps.map((s, i) => `${i + 1}. ${s.title}`).join('\n');
  if (plan.members.length === 1) {
    return `## Order\n\nOn the node of ${first.name}, as root: \`bash ${scriptName(first.name)}\`. It runs these steps and stops at the first failure:\n\n${titles}`;
  }
  const names = plan.members.map((m) => m.name).join(', ');
  return [
    '## Order',
    '',
    `Every member (${names}) is restored from the same snapshot, each into its own data dir, as members of one new cluster. Each node has its own script:`,
    '',
    ...plan.members.map((m) => `- ${m.name}: \`bash ${scriptName(m.name)}\``),
    '',
    '1. Copy each script to its node' +
      (plan.source.fetch
        ? ', with the private key (the script fetches the backup).'
        : `, and the backup folder to \`${plan.source.bundleDir}\`.`),
    '2. Start all scripts at about the same time, one terminal per node. Each checks, fetches, stops its own control plane, restores its data dir and prepares its etcd.yaml, then asks whether every other node got that far.',
    '3. Answer `yes` on each node only when **all** nodes have reached that question: no restored etcd may start while an old kube-apiserver still runs somewhere.',
    '4. etcd then starts on each node; a member reports healthy once a majority of members runs, so the scripts wait for each other here.',
    '5. Each node brings back kube-apiserver, kube-controller-manager and kube-scheduler once its etcd is healthy, restarts kubelet and checks the API.',
    '',
    'The steps of every script:',
    '',
    titles,
  ].join('\n');
}

function memberSection(member: MemberPlan): string {
  const parts = [
    `## Member ${member.name}: \`${scriptName(member.name)}\``,
    '',
    `Peer URL ${member.peerUrl}; restored into \`${member.dataDir}\` (the old data dir \`${member.oldDataDir}\` is left untouched).`,
  ];
  member.steps.forEach((step, i) => {
    parts.push(
      '',
      `### ${i + 1}. ${step.title}`,
      '',
      step.why,
      '',
      fence(shownCommands(step, member), 'bash'),
    );
  });
  return parts.join('\n');
}

function editsSection(plan: RestorePlan): string {
  const parts = ['## The etcd.yaml edits'];
  for (const m of plan.members) {
    parts.push('', `### ${m.name}`, '');
    if (!m.manifest) {
      parts.push(
        `Not known in advance: the script edits the node's etcd.yaml in place of a reviewed diff. Every line that names \`${m.oldDataDir}\` as --data-dir, path or mountPath will name \`${m.dataDir}\`.`,
      );
      continue;
    }
    const rows = m.manifest.edit.changes.map((c) => [
      String(c.line),
      c.what,
      `\`${c.before}\``,
      `\`${c.after}\``,
    ]);
    parts.push(
      `From \`${m.manifest.source}\`; written as \`etcd.yaml.${m.name}.edited\` and \`etcd.yaml.${m.name}.diff\`. Only these values change; comments, order and formatting are kept byte for byte.`,
      '',
      table(['line', 'what', 'before', 'after'], rows),
      '',
      fence(m.manifest.diff, 'diff'),
    );
  }
  return parts.join('\n');
}

function variantsSection(plan: RestorePlan): string {
  const parts = ['## Variants'];
  for (const v of plan.variants) {
    parts.push('', `### ${v.title}`, '', `*When:* ${v.when}`);
    for (const p of v.parts) {
      parts.push('', p.text);
      if (p.commands?.length) parts.push('', fence(p.commands.join('\n'), 'bash'));
    }
  }
  return parts.join('\n');
}

function afterSection(plan: RestorePlan): string {
  return [
    '## After the restore',
    '',
    '- Check the workloads you care about (`kubectl get pods -A`); controllers relist everything after the compaction, which can take a few minutes on big clusters.',
    '- Take a fresh backup soon (`lifeboat backup`): it starts the new history of the restored cluster.',
    `- Delete \`${plan.source.bundleDir}\` on every node once done: it holds CA private keys and every Secret.`,
    '- Remove the old data dirs and the moved-aside manifest folders once the cluster is confirmed good.',
  ].join('\n');
}

export function renderRunbook(plan: RestorePlan): string {
  const b = plan.backup;
  const title = b.id ? `backup ${b.id}${b.cluster ? ` of ${b.cluster}` : ''}` : `snapshot ${plan.snapshot}`;
  const sections = [
    `# Restore runbook: ${title}`,
    `Generated by \`lifeboat restore-plan\` at ${plan.generatedAt}. Read it through before running anything; the scripts are these steps, verbatim. Docs: docs/RESTORE.md.`,
    overview(plan),
    warningsSection(plan),
    certificatesSection(plan),
    orderSection(plan),
    [
      '## Running steps by hand',
      '',
      'The scripts start with these helpers; paste them into your shell first, and keep the same shell (`$ASIDE` names the folder the manifests were moved to):',
      '',
      fence(plan.prelude.join('\n'), 'bash'),
    ].join('\n'),
    ...plan.members.map(memberSection),
    editsSection(plan),
    variantsSection(plan),
    afterSection(plan),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}
