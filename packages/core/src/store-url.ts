// Store URLs are what users type and script against:
//   s3://bucket/prefix?endpoint=https://minio:9000&region=eu-1&pathStyle=true
//   restic:<any restic repository string, e.g. /srv/restic or s3:host/bucket>
//   file:///var/backups/lifeboat
// Parsed once into a typed value; everything past this point trusts it.
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LifeboatError } from './errors.ts';

export type StoreLocation =
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region?: string; pathStyle?: boolean }
  | { kind: 'restic'; repository: string }
  | { kind: 'file'; path: string };

const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const s3Options = new Set(['endpoint', 'region', 'pathStyle']);

function bad(url: string, why: string): LifeboatError {
  return new LifeboatError(
    'usage',
    `store URL "${url}" ${why}; expected s3://bucket/prefix, restic:<repository> or file:///path`,
  );
}

export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('restic:')) {
    const repository = url.slice('restic:'.length);
    if (!repository) throw bad(url, 'names no restic repository');
    return { kind: 'restic', repository };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(url, 'is not a URL');
  }
  if (parsed.protocol === 'file:') {
    if (parsed.search || parsed.hash)
      throw bad(url, 'has a query or fragment, which file stores do not take');
    const path = fileURLToPath(parsed);
    if (!isAbsolute(path)) throw bad(url, 'is not an absolute path');
    return { kind: 'file', path: path.length > 1 ? path.replace(/\/+$/, '') : path };
  }
  if (parsed.protocol === 's3:') {
    const bucket = parsed.hostname;
    if (!bucketPattern.test(bucket)) throw bad(url, `has an invalid bucket name "${bucket}"`);
    const location: StoreLocation & { kind: 's3' } = {
      kind: 's3',
      bucket,
      prefix: decodeURIComponent(parsed.pathname).split('/').filter(Boolean).join('/'),
    };
    for (const [key, value] of parsed.searchParams) {
      if (!s3Options.has(key))
        throw bad(url, `has an unknown option "${key}" (known: ${[...s3Options].join(', ')})`);
      if (key === 'endpoint') {
        let endpoint: URL;
        try {
          endpoint = new URL(value);
        } catch {
          throw bad(url, `has an endpoint "${value}" that is not a URL`);
        }
        if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
          throw bad(url, `has an endpoint "${value}" that is neither http nor https`);
        }
        location.endpoint = value;
      } else if (key === 'region') {
        location.region = value;
      } else if (value === 'true' || value === 'false') {
        location.pathStyle = value === 'true';
      } else {
        throw bad(url, `has pathStyle=${value}; use true or false`);
      }
    }
    return location;
  }
  throw bad(url, `has an unsupported scheme "${parsed.protocol}"`);
}

/** The canonical string form of a location (never includes credentials). */
export function formatStoreUrl(location: StoreLocation): string {
  switch (location.kind) {
    case 'restic':
      return `restic:${location.repository}`;
    case 'file':
      return `file://${location.path}`;
    case 's3': {
      const query = new URLSearchParams();
      if (location.endpoint) query.set('endpoint', location.endpoint);
      if (location.region) query.set('region', location.region);
      if (location.pathStyle !== undefined) query.set('pathStyle', String(location.pathStyle));
      const q = query.size ? `?${query}` : '';
      return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}${q}`;
    }
  }
}
