// Which archive paths and symlinks may be created under an extraction root.
// Archives are input from elsewhere: a crafted one must not write outside the
// root, through a symlink, or leave a link that points out of it.
import { LifeboatError } from '@lifeboat/core';

/** An 'integrity' error for an entry that must not be extracted. */
export function refuse(path: string, why: string): never {
  throw new LifeboatError(
    'integrity',
    `refusing to extract ${JSON.stringify(path)}: ${why}. The archive is damaged or hostile; nothing was kept`,
  );
}

/** The path's components below the root ('.' dropped); [] is the root itself. */
export function safeComponents(path: string): string[] {
  if (path.startsWith('/')) refuse(path, 'it is an absolute path');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) refuse(path, 'it has a ".." component');
  return parts;
}

/** At most this many links are followed while resolving one path (as Linux's MAXSYMLINKS). */
const maxLinks = 40;

/**
 * Tracks the symlinks created so far, and resolves paths through them the way
 * the kernel would, to tell whether a link's target stays inside the root.
 * A lexical check alone is fooled by chains (`a -> .`, `b -> a/..`).
 */
export class SymlinkMap {
  #links = new Map<string, string>();

  add(parts: string[], target: string): void {
    this.#links.set(parts.join('/'), target);
  }

  /** A proper prefix of `parts` that is a symlink, if any: nothing is written beneath one. */
  linkAbove(parts: string[]): string | undefined {
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.#links.has(prefix)) return prefix;
    }
    return undefined;
  }

  /** Whether the link at `parts` resolves (through every known link) inside the root. */
  staysInside(parts: string[]): boolean {
    const target = this.#links.get(parts.join('/'));
    if (target === undefined) return true;
    return this.#resolve(parts.slice(0, -1), target, { links: 0 }) !== undefined;
  }

  /** Every link that leaves the root, for a final check once all links exist. */
  escaping(): string[] {
    return [...this.#links.keys()].filter((path) => !this.staysInside(path.split('/')));
  }

  /** Where `target`, seen from the directory `base`, leads; undefined if it leaves the root. */
  #resolve(base: string[], target: string, budget: { links: number }): string[] | undefined {
    if (target.startsWith('/')) return undefined;
    const stack = [...base];
    for (const part of target.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) return undefined;
        stack.pop();
        continue;
      }
      stack.push(part);
      const link = this.#links.get(stack.join('/'));
      if (link === undefined) continue;
      // A loop or a very long chain counts as leaving: nothing legitimate needs one.
      if (++budget.links > maxLinks) return undefined;
      stack.pop();
      const resolved = this.#resolve(stack, link, budget);
      if (!resolved) return undefined;
      stack.splice(0, stack.length, ...resolved);
    }
    return stack;
  }
}
