// lifeboat/manifest.json, the last entry of every bundle: what the bundle
// holds (each entry's path, type, mode, and for files size and sha256), so an
// extraction or a verify can prove every byte arrived, and an auditor can
// check files with sha256sum. Parsed and validated once; trusted after.
import { LifeboatError } from '@lifeboat/core';
import type { Digest } from './digest.ts';
import type { TarHeader } from './tar/types.ts';

export const manifestFormat = 'lifeboat.manifest/v1';
export const manifestPath = 'lifeboat/manifest.json';
export const snapshotPath = 'etcd/snapshot.db';
export const kubernetesRoot = 'kubernetes';

/** Manifests list a few hundred entries; anything near this is not ours. */
export const maxManifestSize = 16 * 1024 * 1024;

interface Common {
  path: string;
  /** Permission bits as 4 octal digits, e.g. "0600" (readable for people and jq). */
  mode: string;
}
export interface FileEntry extends Common {
  type: 'file';
  size: number;
  sha256: string;
}
export interface DirectoryEntry extends Common {
  type: 'directory';
}
export interface SymlinkEntry extends Common {
  type: 'symlink';
  target: string;
}
export type ManifestEntry = FileEntry | DirectoryEntry | SymlinkEntry;

export interface Manifest {
  format: typeof manifestFormat;
  /** In archive order. */
  entries: ManifestEntry[];
}

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** What the manifest says about a tar entry; files need the digest of their content. */
export function describeEntry(header: TarHeader, digest?: Digest): ManifestEntry {
  const mode = formatMode(header.mode);
  const path = header.path;
  switch (header.type) {
    case 'file':
      if (!digest) throw new LifeboatError('usage', `${path}: a file's manifest entry needs its digest`);
      return { path, type: 'file', mode, size: digest.size, sha256: digest.hex };
    case 'directory':
      return { path, type: 'directory', mode };
    case 'symlink':
      return { path, type: 'symlink', mode, target: header.linkname ?? '' };
    default:
      throw new LifeboatError(
        'integrity',
        `${path} is a ${header.type}, which a bundle never holds: the bundle is damaged or was not written by lifeboat`,
      );
  }
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

const hex64 = /^[0-9a-f]{64}$/;
const octalMode = /^[0-7]{4}$/;

/** Validates a manifest's bytes; `source` names it in errors. */
export function parseManifest(data: Buffer, source: string): Manifest {
  const fail = (why: string): never => {
    throw new LifeboatError(
      'integrity',
      `${source}: ${why}; the bundle is damaged or was not written by lifeboat`,
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    fail('is not valid JSON');
  }
  const m = value as { format?: unknown; entries?: unknown };
  if (typeof m !== 'object' || m === null) fail('is not a JSON object');
  if (m.format !== manifestFormat) {
    fail(
      `has format ${JSON.stringify(m.format)}, expected "${manifestFormat}" (written by a newer lifeboat?)`,
    );
  }
  if (!Array.isArray(m.entries)) fail('has no "entries" list');
  const seen = new Set<string>();
  const entries = (m.entries as unknown[]).map((raw, i): ManifestEntry => {
    const e = raw as Record<string, unknown>;
    const where = `entry ${i}`;
    if (typeof e !== 'object' || e === null) fail(`${where} is not an object`);
    if (typeof e['path'] !== 'string' || e['path'] === '') fail(`${where} has no path`);
    const path = e['path'] as string;
    if (seen.has(path)) fail(`lists ${JSON.stringify(path)} twice`);
    seen.add(path);
    if (typeof e['mode'] !== 'string' || !octalMode.test(e['mode'])) fail(`${path} has no valid mode`);
    const mode = e['mode'] as string;
    switch (e['type']) {
      case 'file': {
        const size = e['size'];
        const sha256 = e['sha256'];
        if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
          fail(`${path} has no valid size`);
        if (typeof sha256 !== 'string' || !hex64.test(sha256)) fail(`${path} has no valid sha256`);
        return { path, type: 'file', mode, size: size as number, sha256: sha256 as string };
      }
      case 'directory':
        return { path, type: 'directory', mode };
      case 'symlink':
        if (typeof e['target'] !== 'string' || e['target'] === '') fail(`${path} has no symlink target`);
        return { path, type: 'symlink', mode, target: e['target'] as string };
      default:
        return fail(`${path} has an unknown type ${JSON.stringify(e['type'])}`);
    }
  });
  return { format: manifestFormat, entries };
}
