// Runs generated restore scripts for real, under bash, in a temp dir that plays
// the node: /etc/kubernetes and /var/lib/etcd live inside it, and the programs
// a node would have (etcdutl, crictl, systemctl, etcdctl, kubectl, lifeboat, id)
// are stubs that log how they were called. Everything else (mv, install,
// sha256sum, awk, diff, chmod) is the real thing.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sandbox {
  root: string;
  kubernetesDir: string;
  /** The "node's" old etcd data dir. */
  oldDataDir: string;
  log: string;
  /** The argv etcdutl snapshot restore got, NUL-separated. */
  restoreArgv: string;
  bin: string;
}

const stubs: Record<string, string> = {
  id: `[ "$1" = -u ] && { echo 0; exit 0; }; exec /usr/bin/id "$@"`,
  etcdutl: `case "$1" in
  version) echo "etcdutl version: \${STUB_ETCDUTL_VERSION:-3.6.16}"; echo "API version: 3.6" ;;
  snapshot)
    if [ "$2" = restore ]; then
      printf '%s\\0' "$@" >"$RESTORE_ARGV"
      while [ $# -gt 0 ]; do [ "$1" = --data-dir ] && dir=$2; shift; done
      mkdir -p "$dir/member/snap" && echo db >"$dir/member/snap/db"
    else
      echo "status of $3"
    fi ;;
esac`,
  crictl: 'exit 0',
  systemctl: 'exit 0',
  etcdctl: 'echo healthy',
  kubectl: 'echo "cp-1 Ready"',
  lifeboat: `if [ "$1" = fetch ]; then
  while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
  mkdir -p "$out/etcd" && echo snap >"$out/etcd/snapshot.db"
fi`,
};

export async function createSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'lifeboat-restore-sandbox-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  for (const [name, body] of Object.entries(stubs)) {
    const file = join(bin, name);
    await writeFile(file, `#!/bin/bash\necho "${name} $*" >>"$STUB_LOG"\n${body}\n`);
    await chmod(file, 0o755);
  }
  const kubernetesDir = join(root, 'etc/kubernetes');
  const oldDataDir = join(root, 'var/lib/etcd');
  await mkdir(join(kubernetesDir, 'manifests'), { recursive: true });
  await mkdir(join(oldDataDir, 'member'), { recursive: true, mode: 0o700 });
  return {
    root,
    kubernetesDir,
    oldDataDir,
    log: join(root, 'stub.log'),
    restoreArgv: join(root, 'restore.argv'),
    bin,
  };
}

/** The fixture's paths moved into the sandbox, so the script touches nothing outside it. */
export function intoSandbox(manifest: string, box: Sandbox): string {
  return manifest.replaceAll('/var/lib/etcd', box.oldDataDir);
}

export async function installManifests(box: Sandbox, etcdYaml: string): Promise<void> {
  const dir = join(box.kubernetesDir, 'manifests');
  await writeFile(join(dir, 'etcd.yaml'), etcdYaml, { mode: 0o600 });
  for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    await writeFile(join(dir, `${name}.yaml`), `# ${name}\n`, { mode: 0o600 });
  }
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  log: string[];
}

export async function runScript(
  box: Sandbox,
  script: string,
  env: Record<string, string> = {},
): Promise<ScriptRun> {
  const file = join(box.root, 'script.sh');
  await writeFile(file, script, { mode: 0o755 });
  const run = spawnSync('bash', [file], {
    cwd: box.root,
    env: {
      PATH: `${box.bin}:/usr/bin:/bin`,
      STUB_LOG: box.log,
      RESTORE_ARGV: box.restoreArgv,
      LIFEBOAT_ALL_RESTORED: 'yes',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const log = (await readFile(box.log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, log };
}

/** `bash -n`: the script parses. */
export function bashSyntaxError(script: string): string | undefined {
  const run = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return run.status === 0 ? undefined : run.stderr;
}
