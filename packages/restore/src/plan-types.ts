// A restore plan is data: per member, an ordered list of steps, each with a
// title, the reason it exists and the exact shell commands. The bash script and
// the Markdown runbook are two renderings of the same steps, and tests run the
// commands of one step on their own.
import type { ManifestEdit } from './manifest-edit.ts';
import type { TargetMember } from './topology.ts';
import type { CertificateReport } from './warnings/certificates.ts';
import type { PlanWarning } from './warnings/warning.ts';

export type StepId =
  | 'preflight'
  | 'fetch'
  | 'check-snapshot'
  | 'stop'
  | 'restore'
  | 'ownership'
  | 'manifest'
  | 'wait-for-members'
  | 'start-etcd'
  | 'control-plane'
  | 'kubelet'
  | 'verify'
  | 'finish';

export interface PlanStep {
  id: StepId;
  title: string;
  /** Why the step exists, for the runbook and the script's comments. */
  why: string;
  /** Bash, in order, every value quoted; they rely on the plan's prelude (helpers, $ASIDE). */
  commands: string[];
}

/** Where the backup comes from when the script runs on a node. */
export interface SnapshotSource {
  /** The fetched bundle's folder on the node: etcd/snapshot.db and kubernetes/ inside. */
  bundleDir: string;
  /** Fetch it from a store first (else the folder is already on the node). */
  fetch?: {
    store: string;
    id: string;
    /** The private key's path on the node. */
    key: string;
    cluster?: string;
    node?: string;
    signerKeys?: string[];
    /** Files the node's lifeboat reads secrets from, passed as given. */
    passphraseFile?: string;
    resticPasswordFile?: string;
  };
  /** The snapshot file; default <bundleDir>/etcd/snapshot.db. */
  snapshot?: string;
  /** No sha256 trailer (a raw member/snap/db): etcdutl needs --skip-hash-check. */
  raw: boolean;
}

/** What the plan knows about the backup; everything but the source is optional without metadata. */
export interface BackupSummary {
  id?: string;
  cluster?: string;
  node?: string;
  created?: string;
  serverVersion?: string;
  /** Where serverVersion came from. */
  serverVersionFrom: 'metadata' | 'etcd.yaml image' | 'unknown';
  revision?: number;
  payloadKey?: string;
}

export interface MemberManifest {
  /** Where the original came from, e.g. "<bundle>/kubernetes/manifests/etcd.yaml". */
  source: string;
  edit: ManifestEdit;
  /** Unified diff of the edit. */
  diff: string;
  /** sha256 of the original, checked on the node before the edited copy replaces it. */
  sha256: string;
}

export interface MemberPlan {
  name: string;
  peerUrl: string;
  /** The restored data dir on this member's node. */
  dataDir: string;
  /** The data dir etcd ran on before; left in place. */
  oldDataDir: string;
  /** A client URL of this member, for health checks on the node. */
  clientUrl: string;
  /** CA and healthcheck client certificate for etcdctl, as kubeadm lays them out. */
  etcdctlTls?: { cacert: string; cert: string; key: string };
  /** The edit made from this node's etcd.yaml; absent when that file was not given (the script edits it on the node). */
  manifest?: MemberManifest;
  steps: PlanStep[];
}

export interface VariantPart {
  text: string;
  commands?: string[];
}

/** A different road through the restore, offered when it applies. */
export interface Variant {
  id: 'raw-db' | 'force-new-cluster' | 'pki';
  title: string;
  /** When to take it. */
  when: string;
  parts: VariantPart[];
}

export interface RestorePlan {
  backup: BackupSummary;
  members: MemberPlan[];
  /** Where the member list came from. */
  topologySource: string;
  token: string;
  bumpRevision: number;
  skipHashCheck: boolean;
  source: SnapshotSource;
  snapshot: string;
  kubernetesDir: string;
  /** Bash defining the helpers and $ASIDE the steps use; the top of every script. */
  prelude: string[];
  warnings: PlanWarning[];
  certificates: CertificateReport[];
  variants: Variant[];
  generatedAt: string;
}

export type { TargetMember };
