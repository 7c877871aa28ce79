// PUT replaces every metric of the group job="lifeboat",cluster,node on the
// Pushgateway, so each run leaves exactly its own series there.
import { LifeboatError } from '@lifeboat/core';

export function pushgatewayUrl(base: string, cluster: string, node: string): string {
  const root = base.replace(/\/+$/, '');
  return `${root}/metrics/job/lifeboat/cluster/${encodeURIComponent(cluster)}/node/${encodeURIComponent(node)}`;
}

export async function pushMetrics(
  base: string,
  cluster: string,
  node: string,
  text: string,
  timeoutMs = 10_000,
): Promise<string> {
  const url = pushgatewayUrl(base, cluster, node);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: text,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new LifeboatError('io', `cannot reach the Pushgateway at ${url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).trim().split('\n')[0] ?? '';
    throw new LifeboatError(
      'io',
      `the Pushgateway refused the metrics: HTTP ${response.status} ${body}`.trim(),
    );
  }
  return url;
}
