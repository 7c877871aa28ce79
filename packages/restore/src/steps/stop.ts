// kubelet runs etcd and kube-apiserver as static pods: moving their manifests
// out of the watched folder is how kubeadm clusters stop them. The folder is
// timestamped and kept, so the originals are one mv away.

import type { PlanStep } from '../plan-types.ts';
import { shellQuote as q } from '../shell.ts';
import { manifestsDir, type StepContext } from './context.ts';

export function stopStep(c: StepContext): PlanStep {
  const dir = manifestsDir(c);
  return {
    id: 'stop',
    title: 'Stop kube-apiserver and etcd',
    why: 'kube-apiserver must not write to etcd while its data is replaced, and etcd must not hold the old data dir. kubelet stops a static pod when its manifest leaves the manifests folder; the manifests go to a timestamped folder ($ASIDE) and come back later, etcd.yaml first.',
    commands: [
      `install -d -m 0700 "$ASIDE"`,
      `manifests=(${q(dir)}/*.yaml)`,
      `(( \${#manifests[@]} > 0 )) || fail ${q(`no static-pod manifests in ${dir}`)}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not a template
      'mv -- "${manifests[@]}" "$ASIDE"/',
      'echo "static-pod manifests moved to $ASIDE"',
      [
        'if command -v crictl >/dev/null 2>&1; then',
        `  retry 180 2 control_plane_stopped || fail 'etcd or kube-apiserver still runs 3 minutes after its manifest was moved: check crictl ps and kubelet'`,
        'else',
        "  warn 'crictl not found: giving kubelet 60 s to stop the static pods'",
        '  sleep 60',
        'fi',
      ].join('\n'),
    ],
  };
}
