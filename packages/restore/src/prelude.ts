// The top of every restore script: small helpers the steps call, and $ASIDE,
// the timestamped folder the static-pod manifests are moved to. The runbook
// shows the same lines, for whoever runs the steps by hand.
import { shellQuote as q } from './shell.ts';

export function prelude(kubernetesDir: string): string[] {
  return [
    'shopt -s nullglob',
    `fail() { printf 'restore failed: %s\\n' "$*" >&2; exit 1; }`,
    `warn() { printf 'WARNING: %s\\n' "$*" >&2; }`,
    `step() { printf '\\n==> %s\\n' "$*"; }`,
    [
      '# retry SECONDS INTERVAL COMMAND...: runs COMMAND until it succeeds or SECONDS pass.',
      'retry() {',
      '  local timeout=$1 interval=$2',
      '  shift 2',
      '  local deadline=$((SECONDS + timeout))',
      '  until "$@"; do',
      '    ((SECONDS < deadline)) || return 1',
      '    sleep "$interval"',
      '  done',
      '}',
    ].join('\n'),
    [
      '# etcdctl from the host when installed, else the one inside the etcd container.',
      'etcdctl_() {',
      '  if command -v etcdctl >/dev/null 2>&1; then',
      '    ETCDCTL_API=3 etcdctl "$@"',
      '    return',
      '  fi',
      "  command -v crictl >/dev/null 2>&1 || fail 'neither etcdctl nor crictl is installed: install etcdctl to check etcd'",
      '  local id',
      "  id=$(crictl ps -q --name '^etcd$' | head -n 1)",
      "  [[ -n $id ]] || { echo 'etcd container not running yet' >&2; return 1; }",
      '  crictl exec "$id" etcdctl "$@"',
      '}',
    ].join('\n'),
    [
      'control_plane_stopped() {',
      '  local ids',
      "  ids=$(crictl ps -q --name '^(etcd|kube-apiserver)$') || return 1",
      '  [[ -z $ids ]]',
      '}',
    ].join('\n'),
    `ASIDE=${q(`${kubernetesDir}/manifests-before-restore-`)}$(date -u +%Y%m%dT%H%M%SZ)`,
  ];
}
