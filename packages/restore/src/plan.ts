// Builds a restore plan from what a backup says about itself (metadata, the
// backed-up etcd.yaml of each node, its certificates) and the target topology.
// Pure: no file is read and nothing runs, so every plan is reproducible in a
// test; reading bundles and probing etcdutl happen at the edges.
import { createHash } from 'node:crypto';
import { type BackupMetadata, backupId, LifeboatError } from '@lifeboat/core';
import { type EtcdManifest, parseEtcdManifest } from '@lifeboat/etcd';
import { editEtcdDataDir, locateDataDir } from './manifest-edit.ts';
import type { BackupSummary, MemberPlan, PlanStep, RestorePlan, SnapshotSource } from './plan-types.ts';
import { prelude } from './prelude.ts';
import { checkSnapshotStep } from './steps/check-snapshot.ts';
import type { StepContext } from './steps/context.ts';
import { controlPlaneStep } from './steps/control-plane.ts';
import { fetchStep } from './steps/fetch.ts';
import { finishStep } from './steps/finish.ts';
import { kubeletStep } from './steps/kubelet.ts';
import { manifestStep } from './steps/manifest.ts';
import { ownershipStep } from './steps/ownership.ts';
import { preflightStep } from './steps/preflight.ts';
import { restoreStep } from './steps/restore.ts';
import { startEtcdStep } from './steps/start-etcd.ts';
import { stopStep } from './steps/stop.ts';
import { verifyStep } from './steps/verify.ts';
import { waitForMembersStep } from './steps/wait-for-members.ts';
import { resolveTopology, type TargetMember } from './topology.ts';
import { unifiedDiff } from './unified-diff.ts';
import { validateDataDir, validateToken } from './validate.ts';
import { variantsFor } from './variants.ts';
import { backupAgeWarning } from './warnings/backup-age.ts';
import { type CertificateReport, certificateWarnings } from './warnings/certificates.ts';
import { etcdutlWarning, versionFromImage } from './warnings/versions.ts';
import type { PlanWarning } from './warnings/warning.ts';

/** Far past any revision written between a backup and its restore; see steps/restore.ts. */
export const defaultBumpRevision = 1_000_000_000;
export const defaultMaxAgeMs = 24 * 3_600_000;

export interface ManifestInput {
  /** etcd.yaml's text, as it was on the node. */
  text: string;
  /** Where it came from, for messages and the runbook. */
  source: string;
}

export interface PlanInput {
  /** The backup's metadata, when known (a fetched folder alone does not carry it). */
  metadata?: BackupMetadata;
  /** etcd.yaml of the backed-up node first, then any other node's; matched to members by --name. */
  manifests: readonly ManifestInput[];
  source: SnapshotSource;
  /** The target topology; default: read from the manifests' --initial-cluster. */
  members?: readonly TargetMember[];
  /** Where every member's data is restored; default: next to the old one, named after the backup. */
  dataDir?: string;
  /** --initial-cluster-token; default: lifeboat-restore-<backup id>. */
  token?: string;
  /** --bump-revision; 0 turns the bump and --mark-compacted off. */
  bumpRevision?: number;
  /** /etc/kubernetes on the nodes. */
  kubernetesDir?: string;
  /** The backed-up certificates (scanCertificates of <bundle>/kubernetes). */
  certificates?: readonly CertificateReport[];
  /** The version of the etcdutl that will run the restore, when probed. */
  etcdutlVersion?: string;
  now?: Date;
  /** Warn when the backup is older than this. */
  maxAgeMs?: number;
}

interface ParsedManifest extends ManifestInput {
  manifest: EtcdManifest;
}

function summary(metadata: BackupMetadata | undefined, reference: EtcdManifest | undefined): BackupSummary {
  const fromImage = versionFromImage(reference?.image);
  return {
    ...(metadata
      ? {
          id: metadata.id,
          cluster: metadata.cluster,
          node: metadata.node,
          created: metadata.created,
          revision: metadata.etcd.revision,
          payloadKey: metadata.payload.key,
        }
      : {}),
    ...(metadata
      ? { serverVersion: metadata.etcd.serverVersion, serverVersionFrom: 'metadata' as const }
      : fromImage
        ? { serverVersion: fromImage, serverVersionFrom: 'etcd.yaml image' as const }
        : { serverVersionFrom: 'unknown' as const }),
  };
}

const loopbackHost = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/** A client URL etcdctl can reach on the node itself: loopback first. */
function clientUrlOf(manifest: EtcdManifest | undefined): string {
  const urls = [...(manifest?.listenClientUrls ?? []), ...(manifest?.advertiseClientUrls ?? [])];
  return urls.find((u) => loopbackHost.test(u)) ?? urls[0] ?? 'https://127.0.0.1:2379';
}

function etcdctlTls(manifest: EtcdManifest | undefined, clientUrl: string, kubernetesDir: string) {
  if (!clientUrl.startsWith('https:')) return undefined;
  // kubeadm keeps the healthcheck client certificate next to the etcd CA.
  const cacert = manifest?.trustedCaFile ?? `${kubernetesDir}/pki/etcd/ca.crt`;
  const dir = cacert.includes('/') ? cacert.slice(0, cacert.lastIndexOf('/')) : '.';
  return { cacert, cert: `${dir}/healthcheck-client.crt`, key: `${dir}/healthcheck-client.key` };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function memberSteps(c: StepContext): PlanStep[] {
  const steps: (PlanStep | undefined)[] = [
    preflightStep(c),
    fetchStep(c),
    checkSnapshotStep(c),
    stopStep(c),
    restoreStep(c),
    ownershipStep(c),
    manifestStep(c),
    waitForMembersStep(c),
    startEtcdStep(c),
    controlPlaneStep(c),
    kubeletStep(),
    verifyStep(c),
    finishStep(c),
  ];
  return steps.filter((s): s is PlanStep => s !== undefined);
}

export function planRestore(input: PlanInput): RestorePlan {
  const now = input.now ?? new Date();
  const kubernetesDir = (input.kubernetesDir ?? '/etc/kubernetes').replace(/\/+$/, '');
  validateDataDir(kubernetesDir);
  const parsed: ParsedManifest[] = input.manifests.map((m) => ({
    ...m,
    manifest: parseEtcdManifest(m.text, m.source),
  }));
  const byName = new Map<string, ParsedManifest>();
  for (const p of parsed) {
    const twin = byName.get(p.manifest.name);
    if (twin) {
      throw new LifeboatError(
        'usage',
        `${twin.source} and ${p.source} are both etcd.yaml of member ${p.manifest.name}; give each node's once`,
      );
    }
    byName.set(p.manifest.name, p);
  }
  const reference = parsed[0];
  const backup = summary(input.metadata, reference?.manifest);
  const topology = resolveTopology(
    parsed.map((p) => ({ manifest: p.manifest, source: p.source })),
    input.members,
  );
  const suffix = backup.id ?? backupId(now);
  const token = validateToken(input.token ?? `lifeboat-restore-${suffix}`);
  const bumpRevision = input.bumpRevision ?? defaultBumpRevision;
  if (!Number.isSafeInteger(bumpRevision) || bumpRevision < 0) {
    throw new LifeboatError('usage', `--bump-revision ${bumpRevision} is not a whole number ≥ 0`);
  }
  if (input.dataDir !== undefined) validateDataDir(input.dataDir);
  const snapshot = input.source.snapshot ?? `${input.source.bundleDir.replace(/\/+$/, '')}/etcd/snapshot.db`;
  validateDataDir(snapshot);
  validateDataDir(input.source.bundleDir);
  const skipHashCheck = input.source.raw;
  const initialCluster = topology.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const referenceData = reference ? locateDataDir(reference.text, reference.source) : undefined;

  const warnings: PlanWarning[] = [];
  const warn = (w: PlanWarning | undefined) => {
    if (w) warnings.push(w);
  };
  if (skipHashCheck) {
    warn({
      code: 'raw-snapshot',
      message: `${snapshot} HAS NO SHA256 TRAILER (a raw member/snap/db): the restore uses --skip-hash-check and NOTHING verifies the file's integrity`,
    });
  }
  for (const note of topology.notes) warn({ code: 'topology', message: note });
  for (const p of parsed) {
    if (!topology.members.some((m) => m.name === p.manifest.name)) {
      warn({
        code: 'manifest-unused',
        message: `${p.source} is etcd.yaml of ${p.manifest.name}, which is not a member of the restored cluster; it is not used`,
      });
    }
    if (p.manifest.flags.has('wal-dir')) {
      warn({
        code: 'wal-dir',
        message: `${p.source} sets --wal-dir: the restore puts the WAL inside the new data dir, so remove --wal-dir from the edited etcd.yaml before etcd starts`,
      });
    }
  }
  const common = {
    backup,
    token,
    bumpRevision,
    skipHashCheck,
    source: input.source,
    snapshot,
    kubernetesDir,
    initialCluster,
    memberNames: topology.members.map((m) => m.name),
  };

  const members: MemberPlan[] = topology.members.map((target) => {
    const own = byName.get(target.name);
    const location = own ? locateDataDir(own.text, own.source) : referenceData;
    const oldDataDir = location?.hostDataDir ?? '/var/lib/etcd';
    const dataDir = validateDataDir(target.dataDir ?? input.dataDir ?? `${oldDataDir}-restored-${suffix}`);
    if (dataDir.replace(/\/+$/, '') === oldDataDir.replace(/\/+$/, '')) {
      throw new LifeboatError(
        'usage',
        `the restore target ${dataDir} is member ${target.name}'s current data dir: restore next to it, never over it (pick another --data-dir)`,
      );
    }
    let manifest: MemberPlan['manifest'];
    if (own) {
      const edit = editEtcdDataDir(own.text, dataDir, own.source);
      manifest = {
        source: own.source,
        edit,
        diff: unifiedDiff(edit.before, edit.after, {
          from: `a${kubernetesDir}/manifests/etcd.yaml`,
          to: `b${kubernetesDir}/manifests/etcd.yaml`,
        }),
        sha256: sha256(own.text),
      };
    } else {
      warn({
        code: 'manifest-missing',
        message: `no etcd.yaml of ${target.name} was given: its script edits the node's etcd.yaml with a literal line edit of the kubeadm layout (data dir assumed ${oldDataDir}); pass --manifest ${target.name}=FILE for an exact, reviewable edit`,
      });
    }
    const clientUrl = clientUrlOf(own?.manifest ?? reference?.manifest);
    const tls = etcdctlTls(own?.manifest ?? reference?.manifest, clientUrl, kubernetesDir);
    const member: Omit<MemberPlan, 'steps'> = {
      name: target.name,
      peerUrl: target.peerUrl,
      dataDir,
      oldDataDir,
      clientUrl,
      ...(tls ? { etcdctlTls: tls } : {}),
      ...(manifest ? { manifest } : {}),
    };
    return { ...member, steps: memberSteps({ plan: common, member }) };
  });

  if (backup.serverVersion === undefined) {
    warn({
      code: 'server-version-unknown',
      message:
        'the etcd version of the snapshot is unknown (no metadata, no version in the etcd.yaml image): restore with the etcdutl of the etcd version the cluster runs',
    });
  } else if (input.etcdutlVersion) {
    warn(etcdutlWarning(input.etcdutlVersion, backup.serverVersion));
  }
  warn(backupAgeWarning(backup.created, now, input.maxAgeMs ?? defaultMaxAgeMs));
  const certificates = [...(input.certificates ?? [])];
  warnings.push(...certificateWarnings(certificates));

  const base = {
    backup,
    members,
    topologySource: topology.source,
    token,
    bumpRevision,
    skipHashCheck,
    source: input.source,
    snapshot,
    kubernetesDir,
    warnings,
    certificates,
    generatedAt: now.toISOString(),
  };
  const first = members[0]!;
  return {
    ...base,
    prelude: prelude(kubernetesDir),
    variants: variantsFor(base, { plan: common, member: first }),
  };
}
