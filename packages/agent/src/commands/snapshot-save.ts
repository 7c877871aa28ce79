import { LifeboatError } from '@lifeboat/core';
import { defineCommand } from '../command.ts';
import { defaultKubernetesDir, kubernetesDirFrom } from '../kubernetes-dir.ts';
import type { ConnectionFlags } from '../operations/snapshot-save.ts';
import { outputFormat } from '../output.ts';

export interface SnapshotSaveArgs {
  file: string;
  connection: ConnectionFlags;
  kubernetesDir: string;
  rawDb?: string;
  output: 'text' | 'json';
}

export const snapshotSaveCommand = defineCommand<SnapshotSaveArgs>({
  name: 'snapshot save',
  summary: "save etcd's database to a file, byte-identical to `etcdctl snapshot save`",
  usage:
    'FILE [--endpoints URLS] [--cacert F --cert F --key F] [--user U --password-file F] [--kubernetes-dir DIR] [--dial-timeout 5s] [--raw-db PATH] [-o text|json]',
  description: [
    "Streams a snapshot of etcd's database over gRPC (Maintenance/Snapshot) into FILE: the database",
    'followed by the sha256 etcd sends, the same bytes `etcdctl snapshot save` writes, so',
    '`etcdutl snapshot restore` accepts it without --skip-hash-check. The checksum is verified while',
    'the data arrives; the snapshot goes to FILE.part (mode 0600: it holds every Secret), is fsynced,',
    'and only then renamed to FILE: a failed or interrupted save leaves no FILE behind.',
    '',
    'Endpoints and certificates default to what this node\'s kubeadm etcd.yaml names (see "lifeboat',
    'discover"); each flag, or its LIFEBOAT_* variable, overrides one value. Endpoints are tried in',
    'order; the next is used only when one cannot be reached.',
    '',
    'With --raw-db, etcd is not contacted: PATH (member/snap/db of a stopped etcd) is copied and the',
    'sha256 trailer computed. Only do this while etcd is stopped: a copy of a live file can be torn.',
  ].join('\n'),
  flags: {
    endpoints: {
      type: 'string',
      value: 'URLS',
      description: 'comma-separated etcd client URLs, tried in order',
      default: '$LIFEBOAT_ENDPOINTS, else etcd.yaml',
    },
    cacert: {
      type: 'string',
      value: 'FILE',
      description: "etcd's CA certificate",
      default: '$LIFEBOAT_CACERT, else etcd.yaml',
    },
    cert: {
      type: 'string',
      value: 'FILE',
      description: 'client certificate',
      default: '$LIFEBOAT_CERT, else pki/etcd/healthcheck-client.crt',
    },
    key: {
      type: 'string',
      value: 'FILE',
      description: 'client key',
      default: '$LIFEBOAT_KEY, else pki/etcd/healthcheck-client.key',
    },
    user: {
      type: 'string',
      value: 'NAME',
      description: 'etcd user, when etcd has auth enabled',
      default: '$LIFEBOAT_USER',
    },
    'password-file': {
      type: 'string',
      value: 'FILE',
      description: "file holding the user's password",
      default: '$LIFEBOAT_PASSWORD_FILE',
    },
    'kubernetes-dir': {
      type: 'string',
      value: 'DIR',
      description: 'the kubeadm directory holding manifests/ and pki/',
      default: `$LIFEBOAT_KUBERNETES_DIR, else ${defaultKubernetesDir}`,
    },
    'dial-timeout': {
      type: 'string',
      value: 'DURATION',
      description: 'time to connect to an endpoint',
      default: '$LIFEBOAT_DIAL_TIMEOUT, else 5s',
    },
    'raw-db': { type: 'string', value: 'PATH', description: "copy a stopped etcd's member/snap/db instead" },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json', default: 'text' },
  },
  examples: [
    'lifeboat snapshot save /var/backups/etcd.db',
    'lifeboat snapshot save etcd.db --endpoints https://10.0.0.11:2379 --cacert ca.crt --cert c.crt --key c.key',
    'lifeboat snapshot save etcd.db --raw-db /var/lib/etcd/member/snap/db',
  ],
  args: (values, positionals, env) => {
    if (positionals.length !== 1) {
      throw new LifeboatError(
        'usage',
        positionals.length === 0
          ? '"lifeboat snapshot save" needs the FILE to write; see "lifeboat snapshot save --help"'
          : `"lifeboat snapshot save" takes one FILE, got ${positionals.length}; see "lifeboat snapshot save --help"`,
      );
    }
    const str = (name: string) => values[name] as string | undefined;
    const rawDb = str('raw-db');
    const connectionFlags = ['endpoints', 'cacert', 'cert', 'key', 'user', 'password-file', 'dial-timeout'];
    const conflicting = connectionFlags.find((f) => values[f] !== undefined);
    if (rawDb && conflicting) {
      throw new LifeboatError(
        'usage',
        `--raw-db reads a file without etcd; --${conflicting} makes no sense with it`,
      );
    }
    const connection: ConnectionFlags = {};
    for (const [flag, field] of [
      ['endpoints', 'endpoints'],
      ['cacert', 'cacert'],
      ['cert', 'cert'],
      ['key', 'key'],
      ['user', 'user'],
      ['password-file', 'passwordFile'],
      ['dial-timeout', 'dialTimeout'],
    ] as const) {
      const v = str(flag);
      if (v !== undefined) connection[field] = v;
    }
    return {
      file: positionals[0]!,
      connection,
      kubernetesDir: kubernetesDirFrom(str('kubernetes-dir'), env),
      ...(rawDb ? { rawDb } : {}),
      output: outputFormat(values['output'], ['text', 'json']),
    };
  },
  run: async (args, io) => (await import('./run/snapshot-save.ts')).snapshotSave(args, io),
});
