// Where backups are listed from: a store URL from the settings, or the store a
// cluster's agent reports in its status ConfigMap (found via the kubeconfig).
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LifeboatError, parseStoreUrl } from '@lifeboat/core';
import { redactUrls } from '@lifeboat/stores';

export type SourceOrigin = { kind: 'settings' } | { kind: 'cluster'; context: string; cluster: string };

export interface BackupSource {
  /** A store URL: s3://…, restic:…, file:///… */
  url: string;
  /** What the tree shows. */
  label: string;
  origin: SourceOrigin;
}

/**
 * A settings entry as a store URL: URLs as they are, a folder path (absolute,
 * or ~/…) as file://. Throws a usage error naming the forms that work.
 */
export function storeUrlOf(entry: string, home: string): string {
  const trimmed = entry.trim();
  if (/^(s3|file):\/\//.test(trimmed) || trimmed.startsWith('restic:')) {
    parseStoreUrl(trimmed);
    return trimmed;
  }
  const path = trimmed.startsWith('~/') ? `${home}${trimmed.slice(1)}` : trimmed;
  if (!isAbsolute(path)) {
    throw new LifeboatError(
      'usage',
      `backup source ${JSON.stringify(entry)} is neither a store URL (s3://bucket/prefix, restic:<repository>, file:///path) nor an absolute folder path`,
    );
  }
  return pathToFileURL(resolve(path)).href;
}

/** The label people recognise: the bucket and prefix, the repository, the folder. */
export function sourceLabel(url: string): string {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 's3':
      return `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
    case 'restic':
      return `restic:${redactUrls(location.repository)}`;
    case 'file':
      return location.path;
  }
}

export function configuredSources(
  entries: readonly string[],
  home: string,
): {
  sources: BackupSource[];
  problems: string[];
} {
  const sources: BackupSource[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    try {
      const url = storeUrlOf(entry, home);
      if (seen.has(url)) continue;
      seen.add(url);
      sources.push({ url, label: sourceLabel(url), origin: { kind: 'settings' } });
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { sources, problems };
}
