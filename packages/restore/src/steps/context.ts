// What every step builder sees: the plan-wide facts and the one member whose
// script is being written.
import type { MemberPlan, RestorePlan } from '../plan-types.ts';

export interface StepContext {
  plan: Pick<
    RestorePlan,
    'backup' | 'token' | 'bumpRevision' | 'skipHashCheck' | 'source' | 'snapshot' | 'kubernetesDir'
  > & {
    /** --initial-cluster: every member as name=peerURL. */
    initialCluster: string;
    /** All members' names, this one included. */
    memberNames: string[];
  };
  member: Omit<MemberPlan, 'steps'>;
}

export const manifestsDir = (c: StepContext) => `${c.plan.kubernetesDir}/manifests`;
export const scriptName = (name: string) => `restore-${name}.sh`;
