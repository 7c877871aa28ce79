// The per-node CronJobs, built here in TypeScript: this is the one source of
// truth. `manifests/base/cronjobs.yaml` is this generator's output for the
// placeholder node (a test keeps the two equal), and the overlays' store
// patches add exactly what `storeEnv()` adds (a test builds each overlay with
// kustomize and compares).
import { createHash } from 'node:crypto';
import { LifeboatError } from '@lifeboat/core';
import { stringify } from 'yaml';
import { manifestDefaults } from './manifest-defaults.ts';

export type StoreKind = 's3' | 'restic';

export interface ManifestOptions {
  nodes: readonly string[];
  /** Adds the store's credential env; without it the CronJob is store-neutral (the base). */
  store?: StoreKind;
  schedule?: string;
  namespace?: string;
  image?: string;
}

export { manifestDefaults } from './manifest-defaults.ts';

/** Names shared by the base, the overlays, RBAC and the agent's reporting. */
export const resourceNames = {
  serviceAccount: 'lifeboat',
  config: 'lifeboat-config',
  recipients: 'lifeboat-recipients',
  signingKey: 'lifeboat-signing-key',
  status: 'lifeboat-status',
  credentials: { s3: 'lifeboat-s3-credentials', restic: 'lifeboat-restic-credentials' },
} as const;

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A node name must be a DNS-1123 subdomain that fits in a label value (63). */
export function validateNodeName(node: string): string {
  if (!subdomain.test(node) || node.length > 63) {
    throw new LifeboatError(
      'usage',
      `node name "${node}" is invalid: a Kubernetes node name is lower-case letters, digits, "-" and "." ` +
        '(DNS-1123), starting and ending with a letter or digit, at most 63 characters',
    );
  }
  return node;
}

/**
 * lifeboat-<node> as a DNS label (dots become dashes: Job and Pod names are
 * used as hostnames), shortened with a hash when a Job name built from it
 * would pass 63 characters.
 */
export function cronJobName(node: string): string {
  const label = node.replace(/\./g, '-');
  const name = `lifeboat-${label}`;
  if (name.length <= 52) return name;
  const hash = createHash('sha256').update(node).digest('hex').slice(0, 8);
  return `lifeboat-${label.slice(0, 33).replace(/-+$/, '')}-${hash}`;
}

/** Five cron fields, or a @macro; the API server checks the rest. */
function validateSchedule(schedule: string): string {
  if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(schedule)) {
    const fields = schedule.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => /^[0-9*/,\-A-Za-z?]+$/.test(f))) {
      throw new LifeboatError(
        'usage',
        `--schedule "${schedule}" is not a cron schedule: five fields, e.g. "0 */6 * * *"`,
      );
    }
  }
  return schedule;
}

const labels = { 'app.kubernetes.io/name': 'lifeboat', 'app.kubernetes.io/component': 'backup' };

/** What a store adds to the container: its credentials Secret as env, and restic's cache dir. */
export function storeEnv(store: StoreKind): { env: object[]; envFrom: object[] } {
  return {
    envFrom: [{ secretRef: { name: resourceNames.credentials[store] } }],
    env: store === 'restic' ? [{ name: 'RESTIC_CACHE_DIR', value: '/tmp/restic-cache' }] : [],
  };
}

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

export function cronJob(node: string, options: Omit<ManifestOptions, 'nodes'> = {}): Record<string, unknown> {
  validateNodeName(node);
  const namespace = options.namespace ?? manifestDefaults.namespace;
  const store = options.store ? storeEnv(options.store) : undefined;
  const env = [
    { name: 'LIFEBOAT_CONFIG', value: '/etc/lifeboat/config/config.yaml' },
    { name: 'LIFEBOAT_RECIPIENT', value: '/etc/lifeboat/recipients' },
    // The node, namespace and Job come from the downward API: with hostNetwork
    // the pod's hostname is the node's, so it cannot name the pod or the Job.
    fieldEnv('LIFEBOAT_NODE', 'spec.nodeName'),
    fieldEnv('LIFEBOAT_NAMESPACE', 'metadata.namespace'),
    fieldEnv('LIFEBOAT_JOB_NAME', "metadata.labels['batch.kubernetes.io/job-name']"),
    { name: 'HOME', value: '/tmp' },
    { name: 'TMPDIR', value: '/tmp' },
    ...(store?.env ?? []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: cronJobName(node),
      namespace,
      labels,
      annotations: { 'lifeboat.dev/node': node },
    },
    spec: {
      schedule: validateSchedule(options.schedule ?? manifestDefaults.schedule),
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels, annotations: { 'lifeboat.dev/node': node } },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: resourceNames.serviceAccount,
              automountServiceAccountToken: true,
              hostNetwork: true,
              dnsPolicy: 'ClusterFirstWithHostNet',
              priorityClassName: 'system-cluster-critical',
              nodeSelector: { 'kubernetes.io/hostname': node, 'node-role.kubernetes.io/control-plane': '' },
              tolerations: [
                { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
              ],
              securityContext: {
                runAsUser: 0,
                runAsGroup: 0,
                runAsNonRoot: false,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'backup',
                  image: options.image ?? manifestDefaults.image,
                  imagePullPolicy: 'IfNotPresent',
                  args: ['backup'],
                  ...(store ? { envFrom: store.envFrom } : {}),
                  env,
                  resources: {
                    requests: { cpu: '100m', memory: '256Mi' },
                    limits: { memory: '1Gi' },
                  },
                  securityContext: {
                    privileged: false,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts: [
                    { name: 'kubernetes', mountPath: '/etc/kubernetes', readOnly: true },
                    { name: 'config', mountPath: '/etc/lifeboat/config', readOnly: true },
                    { name: 'recipients', mountPath: '/etc/lifeboat/recipients', readOnly: true },
                    { name: 'signing-key', mountPath: '/etc/lifeboat/signing', readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'kubernetes', hostPath: { path: '/etc/kubernetes', type: 'Directory' } },
                { name: 'config', configMap: { name: resourceNames.config } },
                { name: 'recipients', configMap: { name: resourceNames.recipients } },
                {
                  name: 'signing-key',
                  secret: { secretName: resourceNames.signingKey, optional: true, defaultMode: 0o400 },
                },
                { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
              ],
            },
          },
        },
      },
    },
  };
}

/** The CronJobs for the given nodes as multi-document YAML. */
export function renderManifests(options: ManifestOptions): string {
  if (options.nodes.length === 0) throw new LifeboatError('usage', '--nodes needs at least one node name');
  const seen = new Set<string>();
  for (const node of options.nodes) {
    validateNodeName(node);
    const name = cronJobName(node);
    if (seen.has(name))
      throw new LifeboatError(
        'usage',
        `node "${node}" is listed twice (or maps to the same CronJob name ${name})`,
      );
    seen.add(name);
  }
  if (options.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.namespace)) {
    throw new LifeboatError('usage', `--namespace "${options.namespace}" is not a valid namespace name`);
  }
  const { nodes, ...rest } = options;
  return nodes
    .map((node) => stringify(cronJob(node, rest), { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}
