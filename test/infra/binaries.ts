// The catalogue of real programs the tests run, and how each one gets onto
// this machine: built with Go through a wrapper module (etcd, kube-apiserver,
// restic),
// "go install"ed at a pinned version (MinIO), a Debian package
// (etcd 3.4, restic 0.14, GnuPG, Chromium), or an npm package installed into
// its own cache folder (code-server). ensureBinary() builds on first use,
// prints progress, and fails with a message naming what to install.
import { spawn, spawnSync } from 'node:child_process';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from './cache.ts';
import { installNpm } from './npm-install.ts';

type Source =
  | { kind: 'go-wrapper'; module: string; packages: Record<string, string> }
  | { kind: 'go-install'; packages: Record<string, string> }
  | { kind: 'debian'; package: Record<string, string>; paths: Record<string, string> }
  | {
      kind: 'npm';
      /** The package, installed as `<package>@<version>` under `<cache>/<name>-<version>/`. */
      package: string;
      /** Program name → path inside the install folder. */
      bins: Record<string, string>;
      /** The Node major version its native modules are built for and that must run it. */
      nodeMajor: number;
      /** Debian packages its native modules build against: a file each one installs → package. */
      buildDeps: Record<string, string>;
    };

export interface BinarySpec {
  name: string;
  version: string;
  source: Source;
  /** Rough first-build time on 2 cores, told to the user before a long build. */
  firstBuild?: string;
}

const goDir = join(import.meta.dirname, 'go');

function etcdBuild(version: string, minor: string, firstBuild: string): BinarySpec {
  return {
    name: `etcd-${minor}`,
    version,
    firstBuild,
    source: {
      kind: 'go-wrapper',
      module: join(goDir, `etcd-${minor}`),
      packages: {
        etcd: 'go.etcd.io/etcd/server/v3',
        etcdutl: 'go.etcd.io/etcd/etcdutl/v3',
        etcdctl: 'go.etcd.io/etcd/etcdctl/v3',
      },
    },
  };
}

export const binaries = {
  'etcd-3.6': etcdBuild('3.6.16', '3.6', '2 minutes'),
  'etcd-3.5': etcdBuild('3.5.35', '3.5', '1 minute'),
  'etcd-3.4': {
    name: 'etcd-3.4',
    version: 'debian',
    source: {
      kind: 'debian',
      package: { etcd: 'etcd-server', etcdctl: 'etcd-client' },
      paths: { etcd: '/usr/bin/etcd', etcdctl: '/usr/bin/etcdctl' },
    },
  },
  minio: {
    name: 'minio',
    version: '20260212201848',
    firstBuild: '4 minutes',
    source: {
      kind: 'go-install',
      packages: { minio: 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c' },
    },
  },
  restic: {
    name: 'restic',
    version: '0.19.1',
    firstBuild: '1 minute',
    source: {
      kind: 'go-wrapper',
      module: join(goDir, 'restic-0.19'),
      packages: { restic: 'github.com/restic/restic/cmd/restic' },
    },
  },
  'restic-0.14': {
    name: 'restic-0.14',
    version: 'debian',
    source: { kind: 'debian', package: { restic: 'restic' }, paths: { restic: '/usr/bin/restic' } },
  },
  bsdtar: {
    name: 'bsdtar',
    version: 'debian',
    source: { kind: 'debian', package: { bsdtar: 'libarchive-tools' }, paths: { bsdtar: '/usr/bin/bsdtar' } },
  },
  // The agent image (test/infra/image.ts): buildah builds and runs it, debootstrap makes the local base.
  buildah: {
    name: 'buildah',
    version: 'debian',
    source: { kind: 'debian', package: { buildah: 'buildah' }, paths: { buildah: '/usr/bin/buildah' } },
  },
  debootstrap: {
    name: 'debootstrap',
    version: 'debian',
    source: {
      kind: 'debian',
      package: { debootstrap: 'debootstrap' },
      paths: { debootstrap: '/usr/sbin/debootstrap' },
    },
  },
  // The browser the VS Code extension's end-to-end tests drive (test/infra/browser.ts).
  chromium: {
    name: 'chromium',
    version: 'debian',
    source: { kind: 'debian', package: { chromium: 'chromium' }, paths: { chromium: '/usr/bin/chromium' } },
  },
  // VS Code in the browser, to run the extension for real (test/infra/code-server.ts).
  'code-server': {
    name: 'code-server',
    version: '4.139.1',
    firstBuild: '3 to 4 minutes',
    source: {
      kind: 'npm',
      package: 'code-server',
      bins: { 'code-server': 'node_modules/code-server/out/node/entry.js' },
      nodeMajor: 24,
      buildDeps: {
        '/usr/include/krb5.h': 'libkrb5-dev',
        '/usr/include/libsecret-1/libsecret/secret.h': 'libsecret-1-dev',
        '/usr/include/X11/Xlib.h': 'libx11-dev',
        '/usr/include/X11/extensions/XKBfile.h': 'libxkbfile-dev',
        '/usr/bin/pkg-config': 'pkg-config',
      },
    },
  },
  // The restore benchmark's standard tools (test/bench/restore.ts): `tar --zstd` and the manifest check.
  zstd: {
    name: 'zstd',
    version: 'debian',
    source: { kind: 'debian', package: { zstd: 'zstd' }, paths: { zstd: '/usr/bin/zstd' } },
  },
  jq: {
    name: 'jq',
    version: 'debian',
    source: { kind: 'debian', package: { jq: 'jq' }, paths: { jq: '/usr/bin/jq' } },
  },
  gpg: {
    name: 'gpg',
    version: 'debian',
    source: { kind: 'debian', package: { gpg: 'gnupg' }, paths: { gpg: '/usr/bin/gpg' } },
  },
  'kube-apiserver': {
    name: 'kube-apiserver',
    version: '1.35.4',
    firstBuild: '10 minutes',
    source: {
      kind: 'go-wrapper',
      module: join(goDir, 'kube-apiserver-1.35'),
      packages: {
        'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
        kubectl: 'k8s.io/kubernetes/cmd/kubectl',
      },
    },
  },
} satisfies Record<string, BinarySpec>;

export type BinaryName = keyof typeof binaries;

/** The cache folder a built binary set lives in (npm packages get a folder of their own). */
function installDir(spec: BinarySpec): string {
  const folder = `${spec.name}-${spec.version}`;
  return spec.source.kind === 'npm' ? join(cacheDir(), folder) : join(cacheDir(), 'bin', folder);
}

/** Where a binary set is (or will be) installed: program name → absolute path. */
export function binaryPaths(name: BinaryName): Record<string, string> {
  const spec: BinarySpec = binaries[name];
  if (spec.source.kind === 'debian') return { ...spec.source.paths };
  const dir = installDir(spec);
  if (spec.source.kind === 'npm') {
    return Object.fromEntries(Object.entries(spec.source.bins).map(([p, rel]) => [p, join(dir, rel)]));
  }
  return Object.fromEntries(Object.keys(spec.source.packages).map((p) => [p, join(dir, p)]));
}

async function present(paths: Record<string, string>): Promise<boolean> {
  for (const p of Object.values(paths)) {
    if (
      !(await access(p).then(
        () => true,
        () => false,
      ))
    )
      return false;
  }
  return true;
}

function log(message: string): void {
  process.stderr.write(`lifeboat infra: ${message}\n`);
}

function goVersion(): string {
  const res = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(
      'the Go toolchain is needed to build the test servers but "go" is not on PATH: install Go 1.21 or newer ' +
        '(it fetches the exact toolchain each module needs from the Go module proxy)',
    );
  }
  return res.stdout.trim();
}

function runGo(args: string[], options: { cwd?: string; gobin?: string }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: '-trimpath -buildvcs=false' };
    if (options.gobin) env.GOBIN = options.gobin;
    const child = spawn('go', args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${code}):\n${output.split('\n').slice(-30).join('\n')}`));
    });
  });
}

function installDebian(what: string, packages: string[]): void {
  packages = [...new Set(packages)];
  const how = `apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`${what} is missing: run "sudo ${how}"`);
  log(`installing Debian packages: ${packages.join(' ')}`);
  const started = Date.now();
  const opts = { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } } as const;
  let res = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], opts);
  if (res.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], opts);
    res = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], opts);
  }
  if (res.status !== 0) throw new Error(`could not install ${packages.join(' ')}: "${how}" failed`);
  log(`installed ${packages.join(' ')} in ${Math.round((Date.now() - started) / 1000)}s`);
}

/** Makes sure a binary set is installed, building or installing it if needed. */
export async function ensureBinary(name: BinaryName): Promise<Record<string, string>> {
  const spec: BinarySpec = binaries[name];
  const paths = binaryPaths(name);
  if (await present(paths)) return paths;
  const source = spec.source;
  if (source.kind === 'debian') {
    installDebian(spec.name, Object.values(source.package));
    if (!(await present(paths)))
      throw new Error(`${spec.name}: package installed but ${Object.values(paths)} missing`);
    return paths;
  }
  let tool: string;
  if (source.kind === 'npm') {
    const missing: string[] = [];
    for (const [file, pkg] of Object.entries(source.buildDeps)) {
      if (!(await present({ file }))) missing.push(pkg);
    }
    if (missing.length > 0) installDebian(`what ${spec.name} builds against`, missing);
    tool = `npm and Node ${process.versions.node}`;
  } else {
    tool = goVersion();
  }
  const dir = installDir(spec);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const started = Date.now();
  log(
    `building ${spec.name} ${spec.version} with ${tool} (first build only, about ${spec.firstBuild ?? 'a minute'})`,
  );
  const heartbeat = setInterval(
    () => log(`  still building ${spec.name}… ${Math.round((Date.now() - started) / 1000)}s`),
    30_000,
  );
  try {
    if (source.kind === 'npm') {
      await installNpm({ ...source, version: spec.version, prefix: tmp });
    } else
      for (const [program, pkg] of Object.entries(source.packages)) {
        if (source.kind === 'go-wrapper') {
          await runGo(['build', '-o', join(tmp, program), pkg], { cwd: source.module }, `go build ${pkg}`);
        } else {
          // "go install pkg@version" names the binary after the package's last path element.
          await runGo(['install', pkg], { gobin: tmp }, `go install ${pkg}`);
          const built = join(tmp, pkg.replace(/@.*$/, '').split('/').at(-1)!);
          if (built !== join(tmp, program)) await rename(built, join(tmp, program));
        }
      }
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`building ${spec.name} ${spec.version} failed: ${(err as Error).message}`);
  } finally {
    clearInterval(heartbeat);
  }
  log(`built ${spec.name} ${spec.version} in ${Math.round((Date.now() - started) / 1000)}s → ${dir}`);
  return paths;
}

/** Builds or installs every binary in the catalogue, one after another. */
export async function ensureAllBinaries(): Promise<void> {
  for (const name of Object.keys(binaries) as BinaryName[]) await ensureBinary(name);
}

/** What is installed where, for `npm run infra -- status`. */
export async function binaryStatus(): Promise<
  { name: string; version: string; ready: boolean; paths: string[] }[]
> {
  return Promise.all(
    (Object.keys(binaries) as BinaryName[]).map(async (name) => {
      const paths = binaryPaths(name);
      const spec: BinarySpec = binaries[name];
      return { name, version: spec.version, ready: await present(paths), paths: Object.values(paths) };
    }),
  );
}
