// The edited etcd.yaml is prepared in $ASIDE next to the original, never in
// the manifests folder: kubelet would start etcd from a half-written file.
// When the plan had this node's etcd.yaml, the exact edited copy is embedded
// and installed only if the node's file is the one the plan was made from;
// otherwise a literal, line-exact edit of the kubeadm layout runs on the node.
import { LifeboatError } from '@lifeboat/core';
import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import type { StepContext } from './context.ts';

const delimiter = 'LIFEBOAT_ETCD_YAML';

/** A quoted heredoc: bash writes every byte of `text` as is (no expansion). */
function heredoc(target: string, text: string): string {
  if (text.endsWith('\n') && !text.split('\n').includes(delimiter)) {
    return `cat >${target} <<'${delimiter}'\n${text}${delimiter}`;
  }
  return `printf '%s' ${q(text)} >${target}`;
}

// Lines are compared as strings, never as patterns, so a path cannot inject
// regex or awk syntax; it passes through the environment, untouched by awk's
// escape processing of -v.
const literalEdit = String.raw`awk '
BEGIN { old = ENVIRON["OLD"]; new = ENVIRON["NEW"]; flags = 0; paths = 0; prev = "" }
{
  if (match($0, /^[ \t]*-[ \t]+/)) {
    head = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1); sub(/[ \t]+$/, "", rest)
    if (rest == "--data-dir=" old) { print head "--data-dir=" new; flags++; prev = ""; next }
    if (prev == "--data-dir" && rest == old) { print head new; flags++; prev = ""; next }
    prev = rest
  } else prev = ""
  if (match($0, /^[ \t]*(-[ \t]+)?(path|mountPath):[ \t]+/)) {
    head = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1); sub(/[ \t]+$/, "", rest)
    if (rest == old) { print head new; paths++; next }
  }
  print
}
END { exit (flags > 0 && paths > 0) ? 0 : 3 }'`;

export function manifestStep(c: StepContext): PlanStep {
  const m = c.member.manifest;
  const target = '"$ASIDE/etcd.yaml.restored"';
  const showDiff = 'diff -u "$ASIDE/etcd.yaml" "$ASIDE/etcd.yaml.restored" || true';
  if (m) {
    if (!/^[0-9a-f]{64}$/.test(m.sha256)) throw new LifeboatError('integrity', 'manifest sha256 is not hex');
    return {
      id: 'manifest',
      title: 'Prepare the edited etcd.yaml',
      why: `etcd must run on the restored data: ${m.edit.changes.map((ch) => ch.what).join(', ')} now name ${c.member.dataDir}; nothing else in the file changes (see etcd.yaml.${c.member.name}.diff). The edited copy is installed only if this node's etcd.yaml is the one the plan was made from (${m.source}); otherwise apply the diff by hand.`,
      commands: [
        `printf '%s  %s\\n' ${m.sha256} "$ASIDE/etcd.yaml" | sha256sum --check --status || fail ${q(`etcd.yaml on this node differs from the one this plan was made from: apply etcd.yaml.${c.member.name}.diff to "$ASIDE/etcd.yaml" by hand, save it as "$ASIDE/etcd.yaml.restored", and continue with the next step of RUNBOOK.md`)}`,
        heredoc(target, m.edit.after),
        showDiff,
      ],
    };
  }
  const old = c.member.oldDataDir;
  return {
    id: 'manifest',
    title: 'Prepare the edited etcd.yaml',
    why: `The plan did not have this node's etcd.yaml (pass --manifest ${c.member.name}=FILE for an exact edit), so the script edits it here: the --data-dir flag and the path/mountPath lines that name ${old} exactly, as kubeadm writes them, now name ${c.member.dataDir}. It stops if it cannot find both the flag and a path.`,
    commands: [
      `OLD=${q(old)} NEW=${q(c.member.dataDir)} ${literalEdit} "$ASIDE/etcd.yaml" >${target} || fail ${q(`could not find --data-dir=${old} and its hostPath in etcd.yaml: edit "$ASIDE/etcd.yaml" by hand, save it as "$ASIDE/etcd.yaml.restored", and continue with the next step of RUNBOOK.md`)}`,
      showDiff,
    ],
  };
}
