// `lifeboat snapshot save`: the bytes `etcdctl snapshot save` writes (db +
// sha256 trailer), streamed from etcd to FILE.part, fsynced, then renamed to
// FILE, so FILE is either the whole verified snapshot or absent. The same
// function serves the CLI and any other caller (the extension, backup).
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileSink, isLifeboatError, LifeboatError, parseDuration } from '@lifeboat/core';
import {
  defaultDialTimeoutMs,
  EtcdClient,
  type EtcdClientOptions,
  type EtcdStatus,
  openRawDb,
  type SnapshotSource,
  SnapshotStream,
  splitEndpoints,
} from '@lifeboat/etcd';
import { discoverEtcd } from './discover.ts';

export type SnapshotOrigin =
  | { kind: 'etcd'; connection: EtcdClientOptions }
  /** etcd's own member/snap/db, read while etcd is stopped. */
  | { kind: 'raw-db'; path: string };

export interface SaveSnapshotOptions {
  file: string;
  origin: SnapshotOrigin;
  signal?: AbortSignal;
  /** Called as bytes are written; total is known from the first chunk. */
  onProgress?: (written: number, total: number) => void;
}

export interface SavedSnapshot {
  file: string;
  /** Bytes in FILE: the database plus the 32-byte sha256 trailer. */
  size: number;
  dbSize: number;
  /** sha256 of the database bytes, as in the trailer. */
  sha256: string;
  durationMs: number;
  origin: 'etcd' | 'raw-db';
  /** The member's Status just before the snapshot (etcd origin only). */
  etcd?: EtcdStatus;
  /** Storage version etcd sent with the snapshot (3.6+). */
  storageVersion?: string;
}

function ioError(what: string, path: string, err: unknown): LifeboatError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? `${dirname(path)} does not exist`
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'no space left on the device'
          : (err as Error).message;
  return new LifeboatError('io', `cannot ${what} ${path}: ${reason}`, { cause: err });
}

async function openSource(origin: SnapshotOrigin): Promise<{ source: SnapshotSource; close: () => void }> {
  if (origin.kind === 'raw-db') {
    return { source: await openRawDb(origin.path, { allowRaw: true }), close: () => {} };
  }
  const client = new EtcdClient(origin.connection);
  try {
    return { source: await client.snapshot(), close: () => client.close() };
  } catch (err) {
    client.close();
    throw err;
  }
}

export async function saveSnapshot(options: SaveSnapshotOptions): Promise<SavedSnapshot> {
  const started = Date.now();
  const file = resolve(options.file);
  const part = `${file}.part`;
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new LifeboatError('usage', `${file} is a directory; give the snapshot's file name`);
  }
  // The file holds every Secret of the cluster: owner-only, and never a stale .part's mode.
  await rm(part, { force: true });
  const handle = await open(part, 'wx', 0o600).catch((err: unknown) => {
    throw ioError('create', part, err);
  });
  let renamed = false;
  let close = () => {};
  try {
    const opened = await openSource(options.origin);
    close = opened.close;
    const { source } = opened;
    let written = 0;
    options.onProgress?.(0, source.totalSize);
    // flush: fsync before the sink finishes, which pipeline() waits for.
    const out = new FileSink(handle, {
      flush: true,
      onBytes: (n) => {
        written += n;
        options.onProgress?.(written, source.totalSize);
      },
    });
    try {
      await pipeline(source, out, ...(options.signal ? [{ signal: options.signal }] : []));
    } catch (err) {
      if (options.signal?.aborted && !isLifeboatError(err)) {
        throw new LifeboatError('aborted', 'snapshot cancelled; nothing was saved', { cause: err });
      }
      if (isLifeboatError(err)) throw err;
      throw ioError('write', part, err);
    }
    await handle.close().catch((err: unknown) => {
      throw ioError('close', part, err);
    });
    const sha256 = source.sha256;
    if (sha256 === undefined || written !== source.totalSize) {
      // The sources refuse to end without a verified trailer; this guards the guard.
      throw new LifeboatError('integrity', `snapshot ended after ${written} of ${source.totalSize} bytes`);
    }
    await rename(part, file).catch((err: unknown) => {
      throw ioError('rename to', file, err);
    });
    renamed = true;
    await syncDirectory(dirname(file));
    const etcd = source instanceof SnapshotStream ? source : undefined;
    return {
      file,
      size: written,
      dbSize: source.dbSize,
      sha256,
      durationMs: Date.now() - started,
      origin: options.origin.kind,
      ...(etcd ? { etcd: etcd.status } : {}),
      ...(etcd?.storageVersion ? { storageVersion: etcd.storageVersion } : {}),
    };
  } finally {
    close();
    if (!renamed) {
      await handle.close().catch(() => {});
      await rm(part, { force: true });
    }
  }
}

/** fsync of the directory makes the rename itself durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is synced.
  } finally {
    await handle.close();
  }
}

// --- where to connect: flags, then environment, then the kubeadm tree --------

export interface ConnectionFlags {
  endpoints?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  passwordFile?: string;
  dialTimeout?: string;
}

export const connectionEnv = {
  endpoints: 'LIFEBOAT_ENDPOINTS',
  cacert: 'LIFEBOAT_CACERT',
  cert: 'LIFEBOAT_CERT',
  key: 'LIFEBOAT_KEY',
  user: 'LIFEBOAT_USER',
  passwordFile: 'LIFEBOAT_PASSWORD_FILE',
  dialTimeout: 'LIFEBOAT_DIAL_TIMEOUT',
} as const satisfies Record<keyof ConnectionFlags, string>;

async function readPassword(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new LifeboatError('not-found', `--password-file ${path} does not exist`, { cause: err })
      : ioError('read', path, err);
  });
  try {
    // One trailing newline is the file's, not the password's (echo pw > file).
    return (await handle.readFile('utf8')).replace(/\r?\n$/, '');
  } finally {
    await handle.close();
  }
}

/**
 * The etcd connection for a command: each value from its flag, else its
 * LIFEBOAT_* variable, else what the kubeadm tree says (read only when a value
 * is missing, and not at all for plain http:// endpoints).
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
  kubernetesDir: string,
  signal?: AbortSignal,
): Promise<EtcdClientOptions> {
  const pick = (name: keyof ConnectionFlags) => flags[name] || env[connectionEnv[name]] || undefined;
  const given = {
    endpoints: pick('endpoints'),
    cacert: pick('cacert'),
    cert: pick('cert'),
    key: pick('key'),
  };
  const user = pick('user');
  const passwordFile = pick('passwordFile');
  if (user && !passwordFile) {
    throw new LifeboatError('usage', '--user needs --password-file (a file holding the password)');
  }
  if (passwordFile && !user) throw new LifeboatError('usage', '--password-file needs --user');
  const dialTimeout = pick('dialTimeout');
  const dialTimeoutMs = dialTimeout ? parseDuration(dialTimeout, '--dial-timeout') : defaultDialTimeoutMs;
  const plainOnly =
    given.endpoints !== undefined && splitEndpoints(given.endpoints).every((e) => e.startsWith('http://'));
  const missing = Object.values(given).some((v) => v === undefined);
  let discovered: Awaited<ReturnType<typeof discoverEtcd>> | undefined;
  if (missing && !plainOnly) {
    try {
      discovered = await discoverEtcd(kubernetesDir);
    } catch (err) {
      // Without endpoints there is nothing to dial; certificates may legitimately be absent.
      if (given.endpoints === undefined && isLifeboatError(err)) {
        throw new LifeboatError(err.code, `${err.message}; or pass --endpoints, --cacert, --cert and --key`, {
          cause: err,
        });
      }
      if (given.endpoints === undefined) throw err;
    }
  }
  const connection: EtcdClientOptions = {
    endpoints: [given.endpoints ?? discovered!.endpoints.join(',')],
    dialTimeoutMs,
  };
  const cacert = given.cacert ?? discovered?.cacert;
  const cert = given.cert ?? (given.key ? undefined : discovered?.cert);
  const key = given.key ?? (given.cert ? undefined : discovered?.key);
  if (cacert) connection.cacert = cacert;
  if (cert) connection.cert = cert;
  if (key) connection.key = key;
  if (user && passwordFile) {
    connection.user = user;
    connection.password = await readPassword(passwordFile);
  }
  if (signal) connection.signal = signal;
  return connection;
}
