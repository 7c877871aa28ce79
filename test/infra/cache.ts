// Built binaries live outside the clone, in a per-user cache keyed by
// name and version, so a fresh clone on the same machine (CI) reuses them.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  if (process.env.LIFEBOAT_CACHE) return process.env.LIFEBOAT_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lifeboat');
}
