// Checks what an archive actually held against its manifest: every entry the
// manifest lists must be there with the same type, mode, size, sha256 or link
// target, and nothing else may be. Entries are recorded as they are read (the
// manifest comes last), then compared once at the end.
import { LifeboatError } from '@lifeboat/core';
import type { Manifest, ManifestEntry } from './manifest.ts';

const shown = 3;

export class ManifestVerifier {
  #found = new Map<string, ManifestEntry>();

  /** Records an entry as read from the archive; a path seen twice is an error. */
  record(entry: ManifestEntry): void {
    if (this.#found.has(entry.path)) {
      throw new LifeboatError(
        'integrity',
        `the bundle holds ${JSON.stringify(entry.path)} twice: it is damaged or was not written by lifeboat`,
      );
    }
    this.#found.set(entry.path, entry);
  }

  /** Throws an 'integrity' error listing the differences, if any. */
  check(manifest: Manifest): void {
    const problems: string[] = [];
    const listed = new Set<string>();
    for (const want of manifest.entries) {
      listed.add(want.path);
      const got = this.#found.get(want.path);
      if (!got) problems.push(`${want.path}: missing`);
      else problems.push(...differences(want, got).map((d) => `${want.path}: ${d}`));
    }
    for (const path of this.#found.keys()) {
      if (!listed.has(path)) problems.push(`${path}: not in the manifest`);
    }
    if (problems.length === 0) return;
    const more = problems.length > shown ? ` (and ${problems.length - shown} more)` : '';
    throw new LifeboatError(
      'integrity',
      `the bundle does not match its manifest: ${problems.slice(0, shown).join('; ')}${more}. It is damaged or was tampered with; use another backup`,
    );
  }
}

function differences(want: ManifestEntry, got: ManifestEntry): string[] {
  if (want.type !== got.type) return [`is a ${got.type}, the manifest says ${want.type}`];
  const found: string[] = [];
  if (want.mode !== got.mode) found.push(`mode ${got.mode}, the manifest says ${want.mode}`);
  if (want.type === 'file' && got.type === 'file') {
    if (want.size !== got.size) found.push(`${got.size} bytes, the manifest says ${want.size}`);
    else if (want.sha256 !== got.sha256) found.push('sha256 differs from the manifest');
  }
  if (want.type === 'symlink' && got.type === 'symlink' && want.target !== got.target) {
    found.push(`links to ${JSON.stringify(got.target)}, the manifest says ${JSON.stringify(want.target)}`);
  }
  return found;
}
