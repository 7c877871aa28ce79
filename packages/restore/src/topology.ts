// The etcd cluster a restore builds: its members' names and peer URLs, from
// --members when given, else from the backed-up etcd.yaml files. Every member
// of a restored cluster is created from the same snapshot with the same
// --initial-cluster, so this list is the one thing all members must agree on.
import { LifeboatError } from '@lifeboat/core';
import type { EtcdManifest } from '@lifeboat/etcd';
import { validateMemberName, validateMemberUrl } from './validate.ts';

export interface TargetMember {
  name: string;
  peerUrl: string;
  /** Where this member's data is restored on its node; the plan's data dir when absent. */
  dataDir?: string;
}

export interface Topology {
  members: TargetMember[];
  /** Where the list came from, for the runbook: "--members" or the manifests it was read from. */
  source: string;
  /** Said when the list is a guess an operator should check. */
  notes: string[];
}

function checked(members: TargetMember[], where: string): TargetMember[] {
  if (members.length === 0) throw new LifeboatError('usage', `${where} names no etcd member`);
  const seen = new Set<string>();
  for (const m of members) {
    validateMemberName(m.name);
    validateMemberUrl('peer', m.peerUrl);
    if (seen.has(m.name)) throw new LifeboatError('usage', `${where} names member ${m.name} twice`);
    seen.add(m.name);
  }
  const urls = new Set(members.map((m) => m.peerUrl));
  if (urls.size !== members.length)
    throw new LifeboatError('usage', `${where} gives two members the same peer URL`);
  return members;
}

/** Parses --members "cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380". */
export function parseMembers(text: string): TargetMember[] {
  const members = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new LifeboatError(
          'usage',
          `--members entry ${JSON.stringify(entry)} is not name=peerURL, e.g. cp-1=https://10.0.0.11:2380`,
        );
      }
      return { name: entry.slice(0, eq), peerUrl: entry.slice(eq + 1) };
    });
  return checked(members, '--members');
}

/**
 * The members to restore: `override` when given, else the union of the
 * manifests' --initial-cluster lists (each member's own advertised peer URL
 * winning over what others recorded for it).
 */
export function resolveTopology(
  manifests: readonly { manifest: EtcdManifest; source: string }[],
  override?: readonly TargetMember[],
): Topology {
  if (override && override.length > 0) {
    return { members: checked([...override], '--members'), source: '--members', notes: [] };
  }
  if (manifests.length === 0) {
    throw new LifeboatError('usage', 'no etcd.yaml to read the members from; pass --members name=peerURL,…');
  }
  const byName = new Map<string, TargetMember>();
  for (const { manifest } of manifests) {
    for (const m of manifest.initialCluster) if (!byName.has(m.name)) byName.set(m.name, { ...m });
  }
  for (const { manifest } of manifests) {
    const own = manifest.initialAdvertisePeerUrls[0];
    if (own) byName.set(manifest.name, { name: manifest.name, peerUrl: own });
  }
  const sources = manifests.map((m) => m.source);
  const members = checked([...byName.values()], `--initial-cluster of ${sources.join(', ')}`);
  const notes: string[] = [];
  if (manifests.length === 1) {
    // kubeadm writes --initial-cluster as it stood when the node joined: the
    // first control-plane node lists only itself, later ones their predecessors.
    notes.push(
      `The members (${members.map((m) => m.name).join(', ')}) come from --initial-cluster in ${sources[0]}, which kubeadm writes when a node joins: the first control-plane node lists only itself. If the control plane has more members, pass --members name=peerURL,… with all of them.`,
    );
  }
  return { members, source: sources.join(', '), notes };
}
