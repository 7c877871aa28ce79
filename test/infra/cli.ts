// npm run infra -- build | status | up [--etcd 3.4|3.5|3.6] [--members 1|3] [--minio] [--apiserver] [--code-server]
// Builds the test servers, shows what is installed, or runs servers in the
// foreground (Ctrl-C stops and removes them) for poking at by hand.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { binaryStatus, ensureAllBinaries } from './binaries.ts';
import { cacheDir } from './cache.ts';
import { startCodeServer } from './code-server.ts';
import { type EtcdVersion, startEtcd } from './etcd.ts';
import { startControlPlane } from './kube-apiserver.ts';
import { startMinio } from './minio.ts';
import { packageExtension } from './vsix.ts';

const usage = `Usage: npm run infra -- <command>

Commands:
  build                 build or install every test server binary (cached in ${cacheDir()})
  status                list the binaries, their versions and whether they are ready
  up [options]          start servers on loopback and print how to reach them; Ctrl-C stops them
     --etcd VERSION     3.4, 3.5 or 3.6 (default 3.6)
     --members N        1 or 3 etcd members (default 1)
     --minio            also start MinIO
     --apiserver        also start kube-apiserver on the etcd
     --code-server      also start code-server (VS Code in the browser) with the extension's .vsix

Example: npm run infra -- up --etcd 3.5 --members 3 --minio`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      etcd: { type: 'string', default: '3.6' },
      members: { type: 'string', default: '1' },
      minio: { type: 'boolean', default: false },
      apiserver: { type: 'boolean', default: false },
      'code-server': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 2;
  }
  if (command === 'build') {
    const started = Date.now();
    await ensureAllBinaries();
    console.log(`all test server binaries ready (${Math.round((Date.now() - started) / 1000)}s)`);
    return 0;
  }
  if (command === 'status') {
    for (const b of await binaryStatus()) {
      console.log(
        `${b.ready ? 'ready  ' : 'missing'}  ${b.name.padEnd(15)} ${b.version.padEnd(15)} ${b.paths.join(' ')}`,
      );
    }
    return 0;
  }
  if (command === 'up') {
    const version = values.etcd as EtcdVersion;
    if (!['3.4', '3.5', '3.6'].includes(version)) throw new Error(`--etcd ${version}: use 3.4, 3.5 or 3.6`);
    const members = Number(values.members);
    if (members !== 1 && members !== 3) throw new Error(`--members ${values.members}: use 1 or 3`);
    const stops: (() => Promise<void>)[] = [];
    if (values.apiserver) {
      const cp = await startControlPlane({ etcdVersion: version, members });
      stops.push(cp.stop);
      console.log(`kube-apiserver  ${cp.url}\n  KUBECONFIG=${cp.kubeconfig}`);
      printEtcd(cp.etcd);
    } else {
      const etcd = await startEtcd({ version, members });
      stops.push(etcd.stop);
      printEtcd(etcd);
    }
    if (values.minio) {
      const minio = await startMinio();
      stops.push(minio.stop);
      console.log(
        `minio  ${minio.endpoint}  buckets: ${minio.bucket}, ${minio.lockedBucket} (object lock)\n  ` +
          Object.entries(minio.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
      );
    }
    if (values['code-server']) {
      const workspace = await mkdtemp(join(tmpdir(), 'lifeboat-workspace-'));
      stops.push(() => rm(workspace, { recursive: true, force: true }));
      const cs = await startCodeServer({ workspace, vsix: [await packageExtension()] });
      stops.push(cs.stop);
      console.log(
        `code-server  ${cs.url}\n  loopback only; from another machine: ssh -L ${new URL(cs.origin).port}:127.0.0.1:${new URL(cs.origin).port} …`,
      );
    }
    console.log('running; Ctrl-C stops and removes everything');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    for (const stop of stops.reverse()) await stop();
    return 0;
  }
  console.error(`unknown command "${command}"\n\n${usage}`);
  return 2;
}

function printEtcd(etcd: Awaited<ReturnType<typeof startEtcd>>): void {
  console.log(`etcd ${etcd.serverVersion}  ${etcd.endpoints.join(',')}`);
  for (const m of etcd.members) console.log(`  ${m.name}: /etc/kubernetes at ${m.tree.dir}`);
  console.log(
    `  etcdctl --endpoints=${etcd.endpoints.join(',')} --cacert=${etcd.tls.cacert} --cert=${etcd.tls.cert} --key=${etcd.tls.key} …`,
  );
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`infra: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
