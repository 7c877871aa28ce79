// `lifeboat snapshot save` against real etcd 3.4, 3.5 and 3.6 with kubeadm's
// TLS (the healthcheck-client certificate, found through etcd.yaml):
// the same bytes as `etcdctl snapshot save`, restorable without
// --skip-hash-check, failover, user/password auth, and a distinct error for
// a wrong CA, a missing client certificate, a wrong endpoint and an etcd
// killed mid-stream.
//
// What "the same bytes" can mean was measured here: etcd 3.4 sends identical
// bytes for back-to-back snapshots of an unchanged cluster, so ours must
// equal etcdctl's exactly. etcd 3.5 and 3.6 commit a bbolt transaction at the
// start of every Snapshot call (the consistent index is saved on each commit),
// so even two etcdctl snapshots in a row differ in the pages that commit
// rewrites. There, ours is taken between two etcdctl snapshots and must equal
// the first everywhere except in pages the two etcdctl snapshots differ in,
// and carry the same content (`etcdutl snapshot status`: hash, revision, keys).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Io, runCli } from '@lifeboat/agent';
import { isLifeboatError } from '@lifeboat/core';
import { EtcdClient } from '@lifeboat/etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterPki, type EtcdCluster, type EtcdVersion, fillEtcd, startEtcd } from '../infra/index.ts';

const run = promisify(execFile);
const versions: EtcdVersion[] = ['3.4', '3.5', '3.6'];
const pageSize = 4096;
const cli = join(import.meta.dirname, '../../packages/agent/src/cli.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-save-e2e-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process, as `lifeboat ...` with these environment variables. */
async function lifeboat(argv: string[], env: Record<string, string> = {}): Promise<Result> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** A loopback port where nothing listens. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Indexes of the 4 KiB pages (and the trailer, as page -1) in which two files differ. */
function differingPages(a: Buffer, b: Buffer): Set<number> {
  expect(a.length).toBe(b.length);
  const pages = new Set<number>();
  const dbEnd = a.length - 32;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) pages.add(i >= dbEnd ? -1 : Math.floor(i / pageSize));
  return pages;
}

function trailerOk(file: Buffer): boolean {
  const db = file.subarray(0, file.length - 32);
  return createHash('sha256')
    .update(db)
    .digest()
    .equals(file.subarray(file.length - 32));
}

async function etcdutlStatus(etcdutl: string, file: string): Promise<unknown> {
  const { stdout } = await run(etcdutl, ['snapshot', 'status', file, '-w', 'json']);
  return JSON.parse(stdout);
}

/** Restores with the tool of that version, hash check on; returns the tool's output. */
async function restore(cluster: EtcdCluster, file: string, target: string): Promise<string> {
  const [tool, env] = cluster.bin.etcdutl
    ? [cluster.bin.etcdutl, process.env]
    : [cluster.bin.etcdctl, { ...process.env, ETCDCTL_API: '3' }];
  const { stdout, stderr } = await run(tool, ['snapshot', 'restore', file, '--data-dir', target], { env });
  return stdout + stderr;
}

describe.each(versions)('lifeboat snapshot save from etcd %s', (version) => {
  let cluster: EtcdCluster;
  let tree: string;
  beforeAll(async () => {
    cluster = await startEtcd({ version });
    tree = cluster.members[0]!.tree.dir;
    await fillEtcd(cluster, { targetBytes: 1024 * 1024 });
  });
  afterAll(() => cluster?.stop());

  it('writes what etcdctl snapshot save writes, with endpoint and certificates from etcd.yaml', async () => {
    const before = join(dir, `${version}-etcdctl-before.db`);
    const ours = join(dir, `${version}-ours.db`);
    const after = join(dir, `${version}-etcdctl-after.db`);
    await cluster.etcdctl(['snapshot', 'save', before]);
    const result = await lifeboat(['snapshot', 'save', ours, '--kubernetes-dir', tree, '-o', 'json']);
    await cluster.etcdctl(['snapshot', 'save', after]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);

    const [a, o, b] = await Promise.all([readFile(before), readFile(ours), readFile(after)]);
    const saved = JSON.parse(result.out);
    expect(saved).toMatchObject({
      size: o.length,
      dbSize: o.length - 32,
      sha256: o.subarray(o.length - 32).toString('hex'),
      origin: 'etcd',
      etcd: { endpoint: cluster.endpoints[0], version: cluster.serverVersion },
    });
    expect(trailerOk(o)).toBe(true);
    expect(o.length).toBe(a.length);
    if (version === '3.4') {
      expect(a.equals(b)).toBe(true); // etcd 3.4 does not write on Snapshot…
      expect(o.equals(a)).toBe(true); // …so ours is byte for byte etcdctl's
    } else {
      const etcdsOwn = differingPages(a, b);
      const fromOurs = differingPages(a, o);
      expect(etcdsOwn.size).toBeGreaterThan(0); // etcd rewrote pages between the two etcdctl runs…
      for (const page of fromOurs) expect(etcdsOwn).toContain(page); // …and ours differs from etcdctl's only there
      const utl = cluster.bin.etcdutl!;
      expect(await etcdutlStatus(utl, ours)).toEqual(await etcdutlStatus(utl, before));
    }
  });

  it('knows the total size from the first chunk: the db size, plus 32 bytes of sha256', async () => {
    const client = new EtcdClient({ endpoints: cluster.endpoints, ...cluster.tls });
    try {
      const stream = await client.snapshot();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const file = Buffer.concat(chunks);
      expect(stream.totalSize).toBe(file.length);
      expect(stream.dbSize).toBe(file.length - 32);
      expect(stream.sha256).toBe(file.subarray(-32).toString('hex'));
      expect(stream.status.version).toBe(cluster.serverVersion);
      expect(stream.storageVersion).toBe(version === '3.6' ? '3.6.0' : undefined);
      // etcdctl's simple output: endpoint, member id (hex), version, db size, …
      const fields = (await cluster.etcdctl(['endpoint', 'status'])).split(',').map((f) => f.trim());
      expect(stream.status.memberId).toBe(fields[1]);
    } finally {
      client.close();
    }
  });

  it('is accepted by snapshot restore with the hash check on, and refused once a byte flips', async () => {
    const ours = join(dir, `${version}-restore.db`);
    expect((await lifeboat(['snapshot', 'save', ours, '--kubernetes-dir', tree])).code).toBe(0);
    const output = await restore(cluster, ours, join(dir, `${version}-restored`));
    expect(output).not.toMatch(/skip-hash-check/);
    expect((await readdir(join(dir, `${version}-restored`, 'member'))).sort()).toEqual(['snap', 'wal']);

    const damaged = await readFile(ours);
    damaged[pageSize * 3 + 100]! ^= 0xff;
    await writeFile(join(dir, `${version}-damaged.db`), damaged);
    await expect(
      restore(cluster, join(dir, `${version}-damaged.db`), join(dir, `${version}-nope`)),
    ).rejects.toThrow(/expected sha256/);
  });

  it('says the CA file does not sign the server certificate', async () => {
    const other = await createClusterPki();
    const wrongCa = join(dir, `${version}-other-ca.crt`);
    await writeFile(wrongCa, other.etcdCa.cert);
    const file = join(dir, `${version}-wrong-ca.db`);
    const r = await lifeboat(['snapshot', 'save', file, '--kubernetes-dir', tree, '--cacert', wrongCa]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `lifeboat: etcd: the CA file ${wrongCa} (--cacert) does not sign the server certificate of etcd at ${cluster.endpoints[0]} (unable to verify the first certificate); pass etcd's CA, on kubeadm nodes /etc/kubernetes/pki/etcd/ca.crt\n`,
    );
    await expect(readdir(dir)).resolves.not.toContain(`${version}-wrong-ca.db.part`);
  });

  it('says etcd requires a client certificate kubeadm issued, naming the flags', async () => {
    const r = await lifeboat([
      'snapshot',
      'save',
      join(dir, `${version}-no-cert.db`),
      '--endpoints',
      cluster.endpoints[0]!,
      '--cacert',
      cluster.tls.cacert,
      '--kubernetes-dir',
      join(dir, 'no-such-tree'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^lifeboat: etcd: etcd at ${cluster.endpoints[0]} requires a client certificate \\((tlsv13 alert certificate required|ssl/tls alert bad certificate)\\); pass --cert and --key with one kubeadm issued, e\\.g\\. /etc/kubernetes/pki/etcd/healthcheck-client\\.crt and \\.key\\n$`,
      ),
    );
  });

  it('says etcd refused a client certificate from another CA', async () => {
    const other = await createClusterPki();
    const cert = join(dir, `${version}-foreign.crt`);
    const key = join(dir, `${version}-foreign.key`);
    await writeFile(cert, other.etcdCa.cert);
    await writeFile(key, other.etcdCa.key);
    const r = await lifeboat([
      'snapshot',
      'save',
      join(dir, 'x.db'),
      '--kubernetes-dir',
      tree,
      '--cert',
      cert,
      '--key',
      key,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^lifeboat: etcd: etcd at ${cluster.endpoints[0]} refused the client certificate ${cert} \\(`,
      ),
    );
  });

  it('checks the server certificate against the address dialled', async () => {
    // 127.0.0.2 reaches etcd through a relay but is not in its certificate; localhost is.
    const port = new URL(cluster.endpoints[0]!).port;
    const relay = createServer((socket) => socket.pipe(connect(Number(port), '127.0.0.1')).pipe(socket));
    await new Promise<void>((r) => relay.listen(0, '127.0.0.2', r));
    try {
      const via = `https://127.0.0.2:${(relay.address() as { port: number }).port}`;
      const wrong = await lifeboat([
        'snapshot',
        'save',
        join(dir, 'x.db'),
        '--kubernetes-dir',
        tree,
        '--endpoints',
        via,
      ]);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(
        new RegExp(
          `^lifeboat: etcd: the server certificate of etcd at ${via} is not valid for 127\\.0\\.0\\.2 \\(`,
        ),
      );
      const byName = `https://localhost:${port}`;
      const ok = await lifeboat([
        'snapshot',
        'save',
        join(dir, `${version}-by-name.db`),
        '--kubernetes-dir',
        tree,
        '--endpoints',
        byName,
      ]);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
    } finally {
      relay.close();
    }
  });

  it('names the endpoint when nothing listens there, and leaves no file behind', async () => {
    const port = await deadPort();
    const file = join(dir, `${version}-refused.db`);
    const r = await lifeboat(['snapshot', 'save', file, '--kubernetes-dir', tree], {
      LIFEBOAT_ENDPOINTS: `https://127.0.0.1:${port}`,
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `lifeboat: etcd: cannot connect to etcd at https://127.0.0.1:${port}: connection refused; check --endpoints and that etcd is running\n`,
    );
    const left = await readdir(dir);
    expect(left).not.toContain(`${version}-refused.db`);
    expect(left).not.toContain(`${version}-refused.db.part`);
  });

  it('fails over: first endpoint dead, second works', async () => {
    const dead = `https://127.0.0.1:${await deadPort()}`;
    const file = join(dir, `${version}-failover.db`);
    const r = await lifeboat([
      'snapshot',
      'save',
      file,
      '--kubernetes-dir',
      tree,
      '--endpoints',
      `${dead},${cluster.endpoints[0]}`,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^Snapshot saved at ${file}: .* from ${cluster.endpoints[0]} \\(etcd ${cluster.serverVersion}\\)\\n$`,
      ),
    );
    expect(trailerOk(await readFile(file))).toBe(true);
  });

  it('runs as a process: exit 0, the summary on stdout, nothing on stderr', async () => {
    const file = join(dir, `${version}-process.db`);
    const { stdout, stderr } = await run(process.execPath, [
      cli,
      'snapshot',
      'save',
      file,
      '--kubernetes-dir',
      tree,
    ]);
    expect(stderr).toBe(''); // e.g. no DEP0123 warning for TLS to an IP address
    expect(stdout).toMatch(
      new RegExp(
        `^Snapshot saved at ${file}: [\\d.]+ MiB \\(\\d+ bytes\\), revision \\d+, sha256 [0-9a-f]{64}, `,
      ),
    );
    expect(trailerOk(await readFile(file))).toBe(true);
  });

  it('authenticates with user and password when etcd has auth enabled', async () => {
    const password = join(dir, `${version}-password`);
    await writeFile(password, 'lifeboat-pw\n');
    await cluster.etcdctl(['user', 'add', 'root:lifeboat-pw']);
    await cluster.etcdctl(['auth', 'enable']);
    const file = join(dir, `${version}-auth.db`);
    const base = ['snapshot', 'save', file, '--kubernetes-dir', tree, '--user', 'root'];
    const ok = await lifeboat([...base, '--password-file', password]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(trailerOk(await readFile(file))).toBe(true);

    await writeFile(password, 'wrong\n');
    const wrong = await lifeboat([...base, '--password-file', password]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe(
      `lifeboat: etcd: etcd at ${cluster.endpoints[0]} rejected the user "root": wrong user name or password; check --user and --password-file\n`,
    );
  });
});

describe.each(versions)('etcd %s killed in the middle of a snapshot', (version) => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ version });
    await fillEtcd(cluster, { targetBytes: 6 * 1024 * 1024 });
  });
  afterAll(() => cluster?.stop());

  it('ends the stream with an error saying the connection was lost, never cleanly', async () => {
    const client = new EtcdClient({ endpoints: cluster.endpoints, ...cluster.tls });
    try {
      const stream = await client.snapshot(); // the first chunk is in
      expect(stream.dbSize).toBeGreaterThan(6 * 1024 * 1024);
      await cluster.members[0]!.server.kill();
      let received = 0;
      const error = await (async () => {
        for await (const chunk of stream) received += (chunk as Buffer).length;
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(received).toBeLessThan(stream.dbSize);
      expect(isLifeboatError(error, 'etcd')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^lost the connection to etcd at ${cluster.endpoints[0]} during the snapshot after [\\d.]+ [KM]iB of [\\d.]+ MiB \\(.+\\); etcd may have stopped or restarted: retry when it is healthy$`,
        ),
      );
      expect(stream.sha256).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it("copies the stopped member's db with --raw-db, and snapshot restore accepts the copy", async () => {
    const member = cluster.members[0]!;
    const file = join(dir, `${version}-raw.db`);
    const r = await lifeboat([
      'snapshot',
      'save',
      file,
      '--raw-db',
      join(member.dataDir, 'member/snap/db'),
      '-o',
      'json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const copy = await readFile(file);
    expect(JSON.parse(r.out)).toMatchObject({ origin: 'raw-db', size: copy.length });
    expect(trailerOk(copy)).toBe(true);
    expect(copy.subarray(0, -32).equals(await readFile(join(member.dataDir, 'member/snap/db')))).toBe(true);
    await restore(cluster, file, join(dir, `${version}-raw-restored`));
    expect((await readdir(join(dir, `${version}-raw-restored`, 'member'))).sort()).toEqual(['snap', 'wal']);
  });

  it('leaves no file when the CLI loses etcd', async () => {
    // etcd is gone now: the CLI must fail cleanly too, naming the endpoint.
    const file = join(dir, `${version}-dead.db`);
    const r = await lifeboat(['snapshot', 'save', file, '--kubernetes-dir', cluster.members[0]!.tree.dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`^lifeboat: etcd: cannot connect to etcd at ${cluster.endpoints[0]}: connection refused`),
    );
    expect(await readdir(dir)).not.toContain(`${version}-dead.db.part`);
  });
});
