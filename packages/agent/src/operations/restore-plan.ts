// `lifeboat restore-plan`: gathers what a plan needs — the backup's metadata,
// the backed-up etcd.yaml and certificates, other nodes' etcd.yaml, the local
// etcdutl's version — and hands it to @lifeboat/restore, which builds the plan
// and writes it. From a store, the payload is fetched (verified, decrypted)
// into a private temp dir only to read etcd.yaml and the certificates, and
// removed again; the scripts fetch it themselves on each node.
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BackupMetadata, LifeboatError, parseMetadata } from '@lifeboat/core';
import { parseEtcdManifest } from '@lifeboat/etcd';
import type { DecryptionKey } from '@lifeboat/pgp';
import {
  type BundleFacts,
  type ManifestInput,
  type PlanInput,
  planRestore,
  probeEtcdutl,
  type RestorePlan,
  readBundle,
  type SnapshotSource,
  type TargetMember,
  validateMemberName,
  type WrittenPlan,
  writePlan,
} from '@lifeboat/restore';
import type { BackupStore } from '@lifeboat/stores';
import type { PublicKey } from 'openpgp';
import { fetchBackup, fetchedMetadataFile } from './fetch.ts';
import { findBackup } from './find-backup.ts';

export interface PlanFromStore {
  store: BackupStore;
  /** The store URL as the scripts should pass it to `lifeboat fetch`. */
  url: string;
  id: string;
  cluster?: string;
  node?: string;
  privateKeys: readonly DecryptionKey[];
  verificationKeys?: readonly PublicKey[];
  /** Paths of the private key and signer keys, as the scripts name them on the nodes. */
  keyPath: string;
  signerKeyPaths?: readonly string[];
  passphraseFile?: string;
  resticPasswordFile?: string;
  /** Where the scripts fetch the backup to on each node; default /root/lifeboat-restore/<id>. */
  fetchDir?: string;
  /** Download progress of the temporary fetch. */
  onProgress?: (done: number, total: number) => void;
}

export interface RestorePlanOptions {
  /** A folder `lifeboat fetch` wrote, present at the same path on every node. */
  bundle?: string;
  store?: PlanFromStore;
  /** <id>.json, for a bundle: the backup's time, versions and revision. */
  metadataFile?: string;
  /** Another snapshot file instead of <bundle>/etcd/snapshot.db (e.g. a raw member/snap/db). */
  snapshot?: string;
  /** Other nodes' etcd.yaml, by member name. */
  manifests?: readonly { name: string; file: string }[];
  members?: readonly TargetMember[];
  dataDir?: string;
  token?: string;
  bumpRevision?: number;
  /** An etcdutl to ask for its version, when the plan is made where it will run. */
  etcdutl?: string;
  maxAgeMs?: number;
  kubernetesDir?: string;
  out: string;
  now?: Date;
  signal?: AbortSignal;
}

export interface RestorePlanResult {
  plan: RestorePlan;
  written: WrittenPlan;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LifeboatError(
      'not-found',
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LifeboatError('integrity', `${file} is not JSON`);
  }
}

async function otherManifests(given: RestorePlanOptions['manifests']): Promise<ManifestInput[]> {
  const inputs: ManifestInput[] = [];
  for (const { name, file } of given ?? []) {
    validateMemberName(name);
    const source = resolve(file);
    const text = await readFile(source, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new LifeboatError(
        'not-found',
        `cannot read --manifest ${name}=${file}: ${err.code ?? err.message}`,
      );
    });
    const actual = parseEtcdManifest(text, source).name;
    if (actual !== name) {
      throw new LifeboatError(
        'usage',
        `--manifest ${name}=${file}: that etcd.yaml is of member ${actual}, not ${name}`,
      );
    }
    inputs.push({ text, source });
  }
  return inputs;
}

/** Fetches the backup into a private temp dir, reads what the plan needs, and removes it. */
async function factsFromStore(
  o: PlanFromStore,
  now: Date,
  signal?: AbortSignal,
): Promise<{ metadata: BackupMetadata; facts: BundleFacts }> {
  const { metadata } = await findBackup(o.store, o.id, {
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.node ? { node: o.node } : {}),
    ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
  });
  const scratch = await mkdtemp(join(tmpdir(), 'lifeboat-plan-'));
  try {
    const out = join(scratch, 'bundle');
    await fetchBackup({
      store: o.store,
      id: metadata.id,
      cluster: metadata.cluster,
      node: metadata.node,
      privateKeys: o.privateKeys,
      ...(o.verificationKeys ? { verificationKeys: o.verificationKeys } : {}),
      out,
      ...(signal ? { signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const facts = await readBundle(out, { now });
    // The certificate paths and the manifest source should not name a folder that is gone.
    facts.manifest.source = `${metadata.payload.key}:kubernetes/manifests/etcd.yaml`;
    return { metadata, facts };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function restorePlan(o: RestorePlanOptions): Promise<RestorePlanResult> {
  if (!o.bundle === !o.store) {
    throw new LifeboatError(
      'usage',
      'restore-plan needs either --bundle DIR or --store URL ID --key PRIVATE.asc',
    );
  }
  if (o.store && o.snapshot) {
    throw new LifeboatError(
      'usage',
      '--snapshot goes with --bundle: a backup from a store brings its own snapshot',
    );
  }
  const now = o.now ?? new Date();
  let metadata: BackupMetadata | undefined;
  let facts: BundleFacts;
  let source: SnapshotSource;
  if (o.store) {
    ({ metadata, facts } = await factsFromStore(o.store, now, o.signal));
    const bundleDir = o.store.fetchDir ? resolve(o.store.fetchDir) : `/root/lifeboat-restore/${metadata.id}`;
    source = {
      bundleDir,
      fetch: {
        store: o.store.url,
        id: metadata.id,
        key: resolve(o.store.keyPath),
        cluster: metadata.cluster,
        node: metadata.node,
        ...(o.store.signerKeyPaths?.length
          ? { signerKeys: o.store.signerKeyPaths.map((k) => resolve(k)) }
          : {}),
        ...(o.store.passphraseFile ? { passphraseFile: resolve(o.store.passphraseFile) } : {}),
        ...(o.store.resticPasswordFile ? { resticPasswordFile: resolve(o.store.resticPasswordFile) } : {}),
      },
      raw: facts.raw,
    };
  } else {
    facts = await readBundle(o.bundle!, { now, ...(o.snapshot ? { snapshot: o.snapshot } : {}) });
    source = { bundleDir: facts.dir, ...(o.snapshot ? { snapshot: facts.snapshot } : {}), raw: facts.raw };
  }
  // A folder made by `lifeboat fetch` carries the backup's metadata; use it unless told otherwise.
  const fetched = o.bundle && !o.metadataFile ? join(resolve(o.bundle), fetchedMetadataFile) : undefined;
  const metadataFile = o.metadataFile ?? (fetched && (await exists(fetched)) ? fetched : undefined);
  if (metadataFile) {
    const file = resolve(metadataFile);
    const given = parseMetadata(await readJson(file, 'the metadata'), file);
    if (metadata && given.id !== metadata.id) {
      throw new LifeboatError(
        'usage',
        `--metadata ${metadataFile} is of backup ${given.id}, not ${metadata.id}`,
      );
    }
    metadata = given;
  }
  const input: PlanInput = {
    ...(metadata ? { metadata } : {}),
    manifests: [facts.manifest, ...(await otherManifests(o.manifests))],
    source,
    ...(o.members?.length ? { members: o.members } : {}),
    ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    ...(o.token ? { token: o.token } : {}),
    ...(o.bumpRevision !== undefined ? { bumpRevision: o.bumpRevision } : {}),
    ...(o.kubernetesDir ? { kubernetesDir: o.kubernetesDir } : {}),
    certificates: facts.certificates,
    ...(o.etcdutl ? { etcdutlVersion: await probeEtcdutl(o.etcdutl) } : {}),
    now,
    ...(o.maxAgeMs !== undefined ? { maxAgeMs: o.maxAgeMs } : {}),
  };
  const plan = planRestore(input);
  const written = await writePlan(plan, o.out);
  return { plan, written };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
