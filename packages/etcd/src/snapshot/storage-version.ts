// The storage version etcd 3.6+ records in the `meta` bucket (key
// "storageVersion", e.g. "3.6.0"). etcdutl reads it with go-semver and prints
// "" when it is missing or does not parse; 3.5 never writes it.
import type { BoltDb } from '../bbolt/bolt-db.ts';

const identifier = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const int64Max = 2n ** 63n - 1n;

/** The storage version as etcdutl prints it, or "" when there is none. */
export async function readStorageVersion(db: BoltDb): Promise<string> {
  const meta = await db.bucket('meta');
  if (!meta) return '';
  const entry = await db.get(meta, 'storageVersion');
  if (!entry || entry.isBucket) return '';
  return normalizeSemver(entry.value.toString('latin1')) ?? '';
}

/** go-semver's NewVersion then String(): "major.minor.patch[-pre][+meta]", numbers re-printed. */
export function normalizeSemver(text: string): string | undefined {
  const plus = text.indexOf('+');
  const metadata = plus < 0 ? '' : text.slice(plus + 1);
  let rest = plus < 0 ? text : text.slice(0, plus);
  const dash = rest.indexOf('-');
  const preRelease = dash < 0 ? '' : rest.slice(dash + 1);
  rest = dash < 0 ? rest : rest.slice(0, dash);
  const parts = splitN(rest, '.', 3);
  if (parts.length !== 3) return undefined;
  if (preRelease && !identifier.test(preRelease)) return undefined;
  if (metadata && !identifier.test(metadata)) return undefined;
  const numbers: bigint[] = [];
  for (const part of parts) {
    // strconv.ParseInt: optional sign, decimal digits, within int64.
    if (!/^[+-]?\d+$/.test(part)) return undefined;
    const n = BigInt(part);
    if (n > int64Max || n < -int64Max - 1n) return undefined;
    numbers.push(n);
  }
  return `${numbers.join('.')}${preRelease ? `-${preRelease}` : ''}${metadata ? `+${metadata}` : ''}`;
}

/** Go's strings.SplitN: at most n parts, the last keeping the remaining separators. */
function splitN(text: string, separator: string, n: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < n - 1) {
    const at = rest.indexOf(separator);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  parts.push(rest);
  return parts;
}
