// Every setting of `lifeboat backup` and `prune` in one table: its flag, its
// LIFEBOAT_* variable and its key in the YAML config file are all derived from
// one kebab-case name, so the three can never disagree.

export type FieldType = 'string' | 'number' | 'boolean' | 'list' | 'duration';

export interface ConfigField {
  type: FieldType;
  description: string;
  /** The value's name in help, e.g. URL. */
  value?: string;
  /** Shown in help; the command applies it when no source sets the field. */
  default?: string | number | boolean | string[];
  /** Where in the YAML file the key sits, when nested (e.g. retention.keep-daily). */
  section?: 'retention' | 's3' | 'restic' | 'etcd';
}

export const backupFields = {
  store: {
    type: 'string',
    value: 'URL',
    description: 's3://bucket/prefix?…, restic:<repository> or file:///path',
  },
  cluster: {
    type: 'string',
    value: 'NAME',
    description: 'cluster name, the first path segment of every backup',
    default: 'kubernetes',
  },
  node: {
    type: 'string',
    value: 'NAME',
    description: 'this node, the second path segment',
    default: 'the hostname',
  },
  'kubernetes-dir': {
    type: 'string',
    value: 'DIR',
    description: 'the kubeadm directory to back up and read etcd.yaml from',
    default: '/etc/kubernetes',
  },
  endpoints: {
    type: 'list',
    value: 'URLS',
    description: 'etcd client URLs, comma-separated',
    default: 'from etcd.yaml',
    section: 'etcd',
  },
  cacert: {
    type: 'string',
    value: 'FILE',
    description: 'CA of the etcd server certificate',
    default: 'from etcd.yaml',
    section: 'etcd',
  },
  cert: {
    type: 'string',
    value: 'FILE',
    description: 'etcd client certificate',
    default: 'kubeadm healthcheck-client',
    section: 'etcd',
  },
  key: {
    type: 'string',
    value: 'FILE',
    description: 'etcd client key',
    default: 'kubeadm healthcheck-client',
    section: 'etcd',
  },
  user: {
    type: 'string',
    value: 'NAME',
    description: 'etcd user, when etcd auth is enabled',
    section: 'etcd',
  },
  'password-file': {
    type: 'string',
    value: 'FILE',
    description: "file holding the etcd user's password",
    section: 'etcd',
  },
  recipient: {
    type: 'list',
    value: 'FILE|DIR',
    description: 'armored public key(s) to encrypt to; repeat or comma-separate',
  },
  'signing-key': {
    type: 'string',
    value: 'FILE',
    description: 'armored private key that signs payload and metadata',
  },
  'signing-key-passphrase-file': {
    type: 'string',
    value: 'FILE',
    description: 'file holding the signing key passphrase',
  },
  compression: { type: 'string', value: 'ALG', description: 'zstd, gzip or none', default: 'zstd' },
  'keep-last': { type: 'number', value: 'N', description: 'keep the newest N backups', section: 'retention' },
  'keep-hourly': {
    type: 'number',
    value: 'N',
    description: 'keep one backup per hour for N hours',
    section: 'retention',
  },
  'keep-daily': {
    type: 'number',
    value: 'N',
    description: 'keep one backup per day for N days',
    section: 'retention',
  },
  'keep-weekly': {
    type: 'number',
    value: 'N',
    description: 'keep one backup per week for N weeks',
    section: 'retention',
  },
  'keep-monthly': {
    type: 'number',
    value: 'N',
    description: 'keep one backup per month for N months',
    section: 'retention',
  },
  'keep-yearly': {
    type: 'number',
    value: 'N',
    description: 'keep one backup per year for N years',
    section: 'retention',
  },
  'incomplete-grace': {
    type: 'duration',
    value: 'DURATION',
    description: 'age after which incomplete backups are cleaned',
    default: '24h',
    section: 'retention',
  },
  sse: {
    type: 'string',
    value: 'KIND',
    description: 'S3 server-side encryption: AES256 or aws:kms',
    section: 's3',
  },
  'sse-kms-key-id': { type: 'string', value: 'ID', description: 'KMS key for aws:kms', section: 's3' },
  'storage-class': {
    type: 'string',
    value: 'CLASS',
    description: 'S3 storage class, e.g. STANDARD_IA',
    section: 's3',
  },
  'object-lock-mode': {
    type: 'string',
    value: 'MODE',
    description: 'S3 Object Lock: GOVERNANCE or COMPLIANCE',
    section: 's3',
  },
  'object-lock-retain': {
    type: 'duration',
    value: 'DURATION',
    description: 'S3 Object Lock retention, e.g. 720h',
    section: 's3',
  },
  'part-size': {
    type: 'number',
    value: 'MIB',
    // 8: each MiB more costs 4 MiB of RSS (ADR 006); 16 would put a backup past 160 MiB.
    description: 'S3 multipart part size in MiB; a backup holds 4 parts (3 uploading, 1 filling)',
    default: 8,
    section: 's3',
  },
  'restic-password-file': {
    type: 'string',
    value: 'FILE',
    description: 'restic repository password file',
    section: 'restic',
  },
  // In-cluster reporting (Events, status ConfigMap) and metrics: see src/kubernetes/report.ts.
  kubeconfig: {
    type: 'string',
    value: 'FILE',
    description: 'report to this cluster (Events, status ConfigMap) even outside a pod',
    default: 'in a pod: its service account',
  },
  namespace: {
    type: 'string',
    value: 'NS',
    description: 'namespace of the Events and the lifeboat-status ConfigMap',
    default: "the pod's",
  },
  'job-name': {
    type: 'string',
    value: 'NAME',
    description: 'the Job this run belongs to, for its Events (set by the CronJob)',
  },
  pushgateway: {
    type: 'string',
    value: 'URL',
    description: 'push metrics to this Prometheus Pushgateway',
  },
  'metrics-textfile-dir': {
    type: 'string',
    value: 'DIR',
    description: "write metrics to DIR/lifeboat.prom for node-exporter's textfile collector",
  },
  'dry-run': { type: 'boolean', description: 'prune: print the plan, delete nothing' },
} satisfies Record<string, ConfigField>;

export type BackupFieldName = keyof typeof backupFields;

/** LIFEBOAT_KEEP_DAILY for keep-daily. */
export function envName(field: string): string {
  return `LIFEBOAT_${field.toUpperCase().replace(/-/g, '_')}`;
}
