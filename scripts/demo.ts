// `npm run demo`: the main job end to end on embedded defaults, on this
// machine alone. Starts a throwaway etcd 3.6 with kubeadm TLS and a
// kubeadm-shaped /etc/kubernetes, fills it with Kubernetes-shaped objects,
// makes a demo recipient key, then runs the real CLI — backup into a local
// folder, list, verify — and shows how an auditor opens the archive with gpg.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { fillEtcd } from '../test/infra/data.ts';
import { startEtcd } from '../test/infra/etcd.ts';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'packages/agent/src/cli.ts');

function step(title: string): void {
  console.log(`\n\x1b[1m▶ ${title}\x1b[0m`);
}

function quiet(args: string[]): string {
  const res = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`lifeboat ${args[0]} failed (exit ${res.status}): ${res.stderr}`);
  return res.stdout;
}

function lifeboat(args: string[]): string {
  console.log(`$ lifeboat ${args.map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const res = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(res.stdout);
  if (res.status !== 0) throw new Error(`lifeboat ${args[0]} failed (exit ${res.status})`);
  return res.stdout;
}

const work = await mkdtemp(join(tmpdir(), 'lifeboat-demo-'));
step('Starting a throwaway etcd 3.6 with kubeadm TLS');
const etcd = await startEtcd({ version: '3.6' });
try {
  const node = etcd.members[0]!;
  console.log(
    `etcd ${etcd.serverVersion} at ${etcd.endpoints[0]}; /etc/kubernetes of node ${node.name} at ${node.tree.dir}`,
  );

  step('Filling it with Kubernetes-shaped objects (32 MiB)');
  const filled = await fillEtcd(etcd, { targetBytes: 32 * 1024 * 1024 });
  console.log(`${filled.keys} objects, database ${(filled.dbSize / 1048576).toFixed(1)} MiB`);

  step('Making a demo recipient key (an auditor would send you only the public half)');
  const keys = join(work, 'keys');
  await mkdir(keys, { mode: 0o700 });
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name: 'Lifeboat demo auditor', email: 'auditor@demo.invalid' }],
    format: 'armored',
  });
  await writeFile(join(keys, 'auditor.pub.asc'), publicKey);
  await writeFile(join(keys, 'auditor.key.asc'), privateKey, { mode: 0o600 });
  // The cluster's own signing key: proves to the auditor which cluster made each archive.
  const signer = await openpgp.generateKey({
    userIDs: [{ name: 'Lifeboat demo cluster', email: 'cluster@demo.invalid' }],
    format: 'armored',
  });
  await writeFile(join(keys, 'cluster-signing.key.asc'), signer.privateKey, { mode: 0o600 });
  await writeFile(join(keys, 'cluster-signing.pub.asc'), signer.publicKey);

  const store = `file://${join(work, 'backups')}`;
  step('Backing up: snapshot → tar with /etc/kubernetes → zstd → OpenPGP → folder store');
  lifeboat([
    'backup',
    '--store',
    store,
    '--cluster',
    'demo',
    '--node',
    node.name,
    '--kubernetes-dir',
    node.tree.dir,
    '--recipient',
    join(keys, 'auditor.pub.asc'),
    '--signing-key',
    join(keys, 'cluster-signing.key.asc'),
  ]);

  step('Listing backups');
  lifeboat(['list', '--store', store]);
  const listed = JSON.parse(quiet(['list', '--store', store, '-o', 'json'])) as {
    id: string;
    metadata: { payload: { key: string; sha256: string } };
  }[];
  const latest = listed[0]!;

  step('Verifying it: checksum without a key, then decrypt + snapshot status with the private key');
  lifeboat(['verify', '--store', store, latest.id, '--signer-key', join(keys, 'cluster-signing.pub.asc')]);
  lifeboat([
    'verify',
    '--store',
    store,
    latest.id,
    '--key',
    join(keys, 'auditor.key.asc'),
    '--signer-key',
    join(keys, 'cluster-signing.pub.asc'),
  ]);

  step('Fetching it for a restore, then reading the snapshot without etcd');
  const restore = join(work, 'restore');
  lifeboat([
    'fetch',
    '--store',
    store,
    latest.id,
    '--key',
    join(keys, 'auditor.key.asc'),
    '--signer-key',
    join(keys, 'cluster-signing.pub.asc'),
    '--out',
    restore,
  ]);
  lifeboat(['snapshot', 'status', join(restore, 'etcd/snapshot.db')]);
  const objects = quiet([
    'snapshot',
    'ls',
    join(restore, 'etcd/snapshot.db'),
    '--prefix',
    '/registry/configmaps/team-01/',
  ]);
  console.log(
    `$ lifeboat snapshot ls ${join(restore, 'etcd/snapshot.db')} --prefix /registry/configmaps/team-01/ | head -n 4`,
  );
  console.log(objects.split('\n').slice(0, 4).join('\n'));

  step('Writing the restore runbook for this node');
  lifeboat(['restore-plan', '--bundle', restore, '--out', join(work, 'plan')]);

  const payload = join(work, 'backups', latest.metadata.payload.key);
  const metadata = payload.replace(/\.tar\.zst\.pgp$/, '.json');
  step('Opening it as an auditor would, with gpg, sha256sum and tar alone');
  const gnupg = join(work, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  const auditor = [
    `export GNUPGHOME=${gnupg}`,
    `gpg --batch --import ${join(keys, 'auditor.key.asc')} ${join(keys, 'cluster-signing.pub.asc')}`,
    `sha256sum ${payload}`,
    `gpg --batch --verify ${metadata}.asc ${metadata}`,
    `gpg --batch -d ${payload} | tar --zstd -tv | head -n 8`,
  ];
  for (const line of auditor) console.log(`$ ${line}`);
  const shell = spawnSync('bash', ['-o', 'pipefail', '-c', auditor.join(' && ')], { encoding: 'utf8' });
  process.stdout.write(shell.stdout);
  process.stdout.write(
    shell.stderr
      .split('\n')
      .filter((l) => /Good signature|gpg: using|decryption|encrypted with/.test(l))
      .join('\n') + '\n',
  );
  if (shell.status !== 0 && shell.status !== 141)
    throw new Error(`the auditor's commands failed:\n${shell.stderr}`);
  console.log(`metadata says payload.sha256 = ${latest.metadata.payload.sha256}`);
  console.log(`\nDone. Archive: ${payload}\nEverything lives in ${work}; delete it when done.`);
} finally {
  await etcd.stop();
}
