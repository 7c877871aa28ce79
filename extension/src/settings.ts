// The extension's settings (contributes.configuration in package.json), read
// in one place with their defaults, so every command sees the same values.
import { homedir } from 'node:os';
import type * as vscode from 'vscode';

export interface Settings {
  /** Store URLs and folders to list backups from. */
  sources: string[];
  /** Look for clusters' stores through the kubeconfig (the agent's status ConfigMap). */
  discoverClusters: boolean;
  /** Kubeconfig files; empty means $KUBECONFIG or ~/.kube/config. */
  kubeconfig: string;
  /** The agent's namespace in each cluster. */
  namespace: string;
  /** Armored private keys that open backups; asked for when empty. */
  privateKeys: string[];
  /** Armored public keys whose signatures on backups are checked. */
  signerKeys: string[];
  rememberPassphrase: boolean;
  /** Backups shown per node before "Show more". */
  pageSize: number;
  resticPasswordFile: string;
  /** Where a restore plan's scripts find the private key on the nodes; asked for when empty. */
  nodeKeyPath: string;
}

const expandHome = (path: string) => (path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path);

export function readSettings(config: vscode.WorkspaceConfiguration): Settings {
  const strings = (key: string) =>
    (config.get<unknown[]>(key) ?? []).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  const text = (key: string, fallback = '') => {
    const v = config.get<unknown>(key);
    return typeof v === 'string' ? v.trim() : fallback;
  };
  const pageSize = config.get<unknown>('pageSize');
  return {
    sources: strings('sources').map((s) => s.trim()),
    discoverClusters: config.get<boolean>('discoverClusters') ?? true,
    kubeconfig: expandHome(text('kubeconfig')),
    namespace: text('namespace') || 'lifeboat',
    privateKeys: strings('privateKeys').map(expandHome),
    signerKeys: strings('signerKeys').map(expandHome),
    rememberPassphrase: config.get<boolean>('rememberPassphrase') ?? false,
    pageSize: typeof pageSize === 'number' && pageSize >= 1 ? Math.floor(pageSize) : 50,
    resticPasswordFile: expandHome(text('resticPasswordFile')),
    nodeKeyPath: text('restore.nodeKeyPath'),
  };
}
