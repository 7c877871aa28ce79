// Values that end up in a restore script or in etcd's flags are checked before
// anything is generated. Quoting already keeps the shell safe; these checks keep
// etcd safe and catch typos while a human can still fix them.
import { LifeboatError } from '@lifeboat/core';

// etcd itself accepts almost any member name, but names travel through
// --initial-cluster (split on "," and "="), file names and runbooks: keep them
// to DNS-label-like words, as kubeadm's node names are.
const memberNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const maxMemberName = 253;

// scheme://host:port and nothing else; host is a DNS name, IPv4 or [IPv6].
const memberUrlPattern =
  /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/** Shows a value inside a one-line message, with control characters escaped. */
function shown(value: string): string {
  return JSON.stringify(value);
}

export function validateMemberName(name: string): string {
  if (!memberNamePattern.test(name) || name.length > maxMemberName) {
    throw new LifeboatError(
      'usage',
      `etcd member name ${shown(name)} is invalid: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most ${maxMemberName} characters)`,
    );
  }
  return name;
}

export type MemberUrlKind = 'peer' | 'client';

/** An etcd peer or client URL: http(s)://host:port, without path, query or credentials. */
export function validateMemberUrl(kind: MemberUrlKind, url: string): string {
  const bad = (why: string) =>
    new LifeboatError(
      'usage',
      `${kind} URL ${shown(url)} ${why}; expected http(s)://host:port, e.g. https://10.0.0.11:${kind === 'peer' ? 2380 : 2379}`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(`uses ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw bad('contains credentials');
  if (parsed.search || parsed.hash || url.includes('?') || url.includes('#'))
    throw bad('has a query or fragment');
  if (parsed.pathname !== '/' || /^https?:\/\/[^/]*\//.test(url)) throw bad('has a path');
  if (!/:\d+$/.test(url)) throw bad('has no port');
  // URL() forgives whitespace and odd characters; the pattern does not.
  const match = memberUrlPattern.exec(url);
  if (!match) throw bad('is not in plain scheme://host:port form');
  const port = Number(match[1]);
  if (port < 1 || port > 65535) throw bad(`has port ${port}, outside 1-65535`);
  return url;
}

/** Where a member's restored data goes: an absolute path that cannot climb out or break a line. */
export function validateDataDir(path: string): string {
  const bad = (why: string) => new LifeboatError('usage', `data dir ${shown(path)} ${why}`);
  if (/[\0\n\r]/.test(path)) throw bad('contains a NUL or line break');
  if (!path.startsWith('/')) throw bad('is not an absolute path; use e.g. /var/lib/etcd-restored');
  if (path.split('/').includes('..')) throw bad('contains ".."; spell out the real directory');
  if (path.split('/').every((segment) => segment === '' || segment === '.')) {
    throw bad('is the root directory; etcd needs a directory of its own');
  }
  return path;
}

// The token only has to differ from the old cluster's; keep it to one plain
// word so it reads the same in a flag, a file name and a runbook.
const tokenPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** --initial-cluster-token: letters, digits, ".", "_" and "-". */
export function validateToken(token: string): string {
  if (!tokenPattern.test(token)) {
    throw new LifeboatError(
      'usage',
      `cluster token ${shown(token)} is invalid: use letters, digits, ".", "_" and "-" (at most 128 characters)`,
    );
  }
  return token;
}
