// The agent's Kubernetes client: only when it runs in a pod (the service
// account's token is mounted and KUBERNETES_SERVICE_HOST is set) or when a
// kubeconfig is named. Everywhere else reporting to a cluster is skipped.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ClusterClient {
  core: CoreV1Api;
  batch: BatchV1Api;
  namespace: string;
  /** How the client was configured, for the log: "service account" or the kubeconfig path. */
  via: string;
}

export interface ClientOptions {
  kubeconfig?: string;
  namespace?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Prefix for the service-account directory (tests); the real one is /. */
  root?: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A client for the cluster this run reports to, or undefined when there is none. */
export async function clusterClient(options: ClientOptions): Promise<ClusterClient | undefined> {
  const saDir = join(options.root ?? '/', serviceAccountDir);
  const inCluster =
    !options.kubeconfig &&
    Boolean(options.env['KUBERNETES_SERVICE_HOST']) &&
    (await exists(join(saDir, 'token')));
  if (!options.kubeconfig && !inCluster) return undefined;
  // Loaded only when there is a cluster to report to: the client and its dependencies cost
  // ~0.3 s and ~25 MiB at every backup otherwise (docs/adr/005-agent-memory.md).
  const { BatchV1Api, CoreV1Api, KubeConfig } = await import('./api.ts');
  const kc = new KubeConfig();
  let namespace = options.namespace;
  let via: string;
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
    namespace ??= kc.getContextObject(kc.getCurrentContext())?.namespace;
    via = options.kubeconfig;
  } else {
    kc.loadFromCluster(options.root);
    namespace ??= (await readFile(join(saDir, 'namespace'), 'utf8').catch(() => '')).trim() || undefined;
    via = 'service account';
  }
  return {
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    namespace: namespace ?? 'lifeboat',
    via,
  };
}

/** The HTTP status of a failed API call, when it has one. */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A one-line reason for a failed API call (the Status message when the server sent one). */
export function apiError(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return `HTTP ${apiStatus(err)}: ${status.message}`;
    } catch {}
  }
  let message = (err as Error)?.message ?? String(err);
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS error…) is in its cause.
  const cause = (err as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string' && !message.includes(cause.message))
    message = `${message}: ${cause.message}`;
  return message.split('\n')[0]!;
}
