// The facts about a key that messages and callers show: how GnuPG prints the
// fingerprint, whom the key belongs to, and when it stops working.
import type { Key } from 'openpgp';

/** The fingerprint as GnuPG prints it: upper-case hex, 40 characters for a v4 key. */
export function fingerprintOf(key: Key): string {
  return key.getFingerprint().toUpperCase();
}

export async function primaryUserId(key: Key): Promise<string | undefined> {
  try {
    return (await key.getPrimaryUser()).user.userID?.userID ?? undefined;
  } catch {
    // No valid self-signature now (e.g. revoked user): still name the key somehow.
    return key.getUserIDs()[0];
  }
}

/** openpgp.js says "never" with Infinity and "cannot tell" with null; both are no date here. */
export function expiryDate(expiry: Date | number | null): Date | undefined {
  return expiry instanceof Date ? expiry : undefined;
}

export function earliest(...dates: (Date | undefined)[]): Date | undefined {
  const known = dates.filter((d) => d !== undefined);
  return known.length === 0 ? undefined : new Date(Math.min(...known.map((d) => d.getTime())));
}

export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "key 0123…ABCD (Ops <ops@example.com>) in /keys/ops.asc", for messages. */
export function describeKey(role: string, fingerprint: string, userId: string | undefined, path: string) {
  return `${role} ${fingerprint}${userId ? ` (${userId})` : ''} in ${path}`;
}
