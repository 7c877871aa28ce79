// Checks that cost nothing and stop the script before it changes anything:
// a restore that fails half-way leaves a stopped control plane behind.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q, shellCommand } from '../shell.ts';
import { majorMinor } from '../warnings/versions.ts';
import { manifestsDir, type StepContext } from './context.ts';

export function preflightStep(c: StepContext): PlanStep {
  const dir = c.member.dataDir;
  const server = c.plan.backup.serverVersion;
  const wanted = server ? majorMinor(server) : undefined;
  const commands = [
    `[[ $(id -u) -eq 0 ]] || fail ${q(`run this script as root, e.g. sudo bash restore-${c.member.name}.sh`)}`,
    `command -v etcdutl >/dev/null 2>&1 || fail ${q(`etcdutl is not installed: install etcdutl ${wanted ?? ''} from the etcd release tarball and put it on PATH`.replace('  ', ' '))}`,
    `etcdutl_version=$(etcdutl version | sed -n 's/^etcdutl version: *//p')`,
  ];
  if (wanted && server) {
    commands.push(
      [
        'case $etcdutl_version in',
        `  ${q(wanted)} | ${q(wanted)}.*) echo "etcdutl $etcdutl_version" ;;`,
        `  *) warn "etcdutl is $etcdutl_version but the snapshot comes from etcd "${q(`${server}: use etcdutl ${wanted}.x, the etcd version etcd.yaml runs`)} ;;`,
        'esac',
      ].join('\n'),
    );
  } else {
    commands.push(
      'echo "etcdutl $etcdutl_version (the snapshot\'s etcd version is unknown: use the etcd version etcd.yaml runs)"',
    );
  }
  commands.push(
    [
      `if [[ -e ${q(dir)} ]]; then`,
      `  [[ -d ${q(dir)} ]] || fail ${q(`${dir} exists and is not a directory`)}`,
      `  [[ -z $(ls -A ${q(dir)}) ]] || fail ${q(`${dir} is not empty: etcd must start on a fresh restore, never a mix; pick another --data-dir, or move it away if it is a failed earlier attempt`)}`,
      'fi',
    ].join('\n'),
    `[[ -f ${q(`${manifestsDir(c)}/etcd.yaml`)} ]] || fail ${q(`${manifestsDir(c)}/etcd.yaml not found: if an earlier run moved the manifests aside, continue by hand from RUNBOOK.md`)}`,
  );
  const fetch = c.plan.source.fetch;
  if (fetch) {
    commands.push(
      `command -v lifeboat >/dev/null 2>&1 || fail ${q('lifeboat is not installed: it fetches and decrypts the backup')}`,
      `[[ -r ${q(fetch.key)} ]] || fail ${q(`the private key ${fetch.key} is not readable: copy it to this node`)}`,
    );
  } else {
    commands.push(
      `[[ -f ${q(c.plan.snapshot)} ]] || fail ${q(`snapshot ${c.plan.snapshot} not found: copy the fetched backup folder to ${c.plan.source.bundleDir} on this node`)}`,
    );
  }
  // Free space where the data goes: a restore needs about the snapshot's size.
  commands.push(`${shellCommand(['df', '-h', parentOf(dir)])} || true`);
  return {
    id: 'preflight',
    title: 'Preflight checks',
    why: 'Nothing is stopped until these pass: root, etcdutl and its version, an empty target data dir, the manifests and the backup where the plan expects them. A restore that fails half-way leaves a stopped control plane behind.',
    commands,
  };
}

function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash <= 0 ? '/' : trimmed.slice(0, slash);
}
