// Endpoints as users write them for etcdctl: "https://10.0.0.1:2379",
// "http://127.0.0.1:2379" or a bare "127.0.0.1:2379" (TLS when certificates
// are configured, as etcdctl does), one or a comma-separated list.
import { LifeboatError } from '@lifeboat/core';

export interface Endpoint {
  /** As shown to users: scheme://host:port. */
  url: string;
  /** What grpc-js dials: host:port (IPv6 in brackets). */
  target: string;
  tls: boolean;
}

/** Splits "a,b c" into endpoint strings; empty parts are dropped. */
export function splitEndpoints(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseEndpoint(raw: string, tlsByDefault: boolean): Endpoint {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `${tlsByDefault ? 'https' : 'http'}://${raw}`);
  } catch (err) {
    throw new LifeboatError(
      'usage',
      `endpoint "${raw}" is not a URL or host:port, e.g. https://127.0.0.1:2379`,
      {
        cause: err,
      },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new LifeboatError('usage', `endpoint "${raw}" uses ${url.protocol}//; use https:// or http://`);
  }
  // URL drops a port equal to the scheme's default, so look at what was written.
  if (!url.port && !/:\d+\/?$/.test(raw)) {
    throw new LifeboatError('usage', `endpoint "${raw}" has no port; write e.g. https://127.0.0.1:2379`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new LifeboatError('usage', `endpoint "${raw}" must be scheme://host:port, without a path or user`);
  }
  const tls = url.protocol === 'https:';
  const port = url.port || (tls ? '443' : '80');
  return { url: `${url.protocol}//${url.hostname}:${port}`, target: `${url.hostname}:${port}`, tls };
}

export function parseEndpoints(raw: readonly string[], tlsByDefault: boolean): Endpoint[] {
  const endpoints = raw.flatMap(splitEndpoints).map((e) => parseEndpoint(e, tlsByDefault));
  if (endpoints.length === 0) {
    throw new LifeboatError('usage', 'no etcd endpoint given; pass --endpoints https://HOST:2379');
  }
  return endpoints;
}
