// A tiny HTTPS client with client certificates, for the JSON endpoints of the
// real servers (etcd's gRPC gateway, kube-apiserver). Keeps connections alive.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

export interface ClientTls {
  cacert: string;
  cert?: string;
  key?: string;
}

export interface HttpsResponse {
  status: number;
  body: string;
  json<T = unknown>(): T;
}

export function httpsClient(tls: ClientTls) {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: readFileSync(tls.cacert),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
  });
  const call = (method: string, url: string, body?: unknown, contentType = 'application/json') =>
    new Promise<HttpsResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        url,
        { method, agent, timeout: 30_000, headers: payload ? { 'content-type': contentType } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

export type HttpsClient = ReturnType<typeof httpsClient>;
