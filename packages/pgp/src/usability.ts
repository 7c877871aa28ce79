// Why a key cannot be used at a given time, told apart so the message can say
// what to do. openpgp.js only reports "could not find valid encryption key
// packet", so after it refuses we look at the key's signatures ourselves.
import { enums, type Key, type SignaturePacket, type Subkey } from 'openpgp';
import { unreadableByGnupg22 } from './gnupg-algorithms.ts';
import { day, expiryDate } from './key-facts.ts';

export type KeyUse = 'encrypt' | 'sign';

export type ProblemKind =
  | 'version' // not a v4 key: GnuPG 2.2 cannot read it
  | 'algorithm' // an RFC 9580 algorithm GnuPG 2.2 cannot use
  | 'revoked'
  | 'not-yet-valid'
  | 'expired'
  | 'incapable' // no (sub)key flagged for the use at all, e.g. sign-only
  | 'subkey-revoked'
  | 'subkey-expired'
  | 'unusable'; // anything else openpgp.js refused

export interface KeyProblem {
  kind: ProblemKind;
  /** Completes "<key> …", e.g. "has expired on 2026-01-01". */
  reason: string;
}

const useFlags: Record<KeyUse, number> = {
  encrypt: enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage,
  sign: enums.keyFlags.signData,
};

const useNoun: Record<KeyUse, string> = { encrypt: 'encryption', sign: 'signing' };

/** A problem with the primary key that rules out any use, or undefined. */
export async function primaryKeyProblem(key: Key, now: Date): Promise<KeyProblem | undefined> {
  const version = key.keyPacket.version;
  if (version !== 4) {
    return { kind: 'version', reason: `is a v${version} key, which GnuPG 2.2 cannot read` };
  }
  const algorithm = unreadableByGnupg22(key);
  if (algorithm) {
    return { kind: 'algorithm', reason: `is an ${algorithm} key, which GnuPG 2.2 cannot use` };
  }
  if (await key.isRevoked(undefined, undefined, now)) return { kind: 'revoked', reason: 'has been revoked' };
  const created = key.getCreationTime();
  if (created > now) {
    return { kind: 'not-yet-valid', reason: `was created in the future (${created.toISOString()})` };
  }
  const expires = expiryDate(await key.getExpirationTime());
  if (expires && expires <= now) return { kind: 'expired', reason: `has expired on ${day(expires)}` };
  return undefined;
}

function latest(signatures: SignaturePacket[]): SignaturePacket | undefined {
  return signatures.toSorted((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0))[0];
}

function flagged(signature: SignaturePacket | undefined, use: KeyUse): boolean {
  return ((signature?.keyFlags?.[0] ?? 0) & useFlags[use]) !== 0;
}

async function primarySelfSignature(key: Key, now: Date): Promise<SignaturePacket | undefined> {
  try {
    return (await key.getPrimaryUser(now)).selfCertification;
  } catch {
    return undefined;
  }
}

/**
 * A problem with the (sub)key openpgp.js chose for `use`: a primary key GnuPG
 * 2.2 reads may still carry a subkey of a newer algorithm.
 */
export function chosenKeyProblem(key: Key, chosen: Key | Subkey, use: KeyUse): KeyProblem | undefined {
  const algorithm = chosen === key ? undefined : unreadableByGnupg22(chosen);
  if (!algorithm) return undefined;
  return {
    kind: 'algorithm',
    reason: `has an ${algorithm} ${useNoun[use]} subkey, which GnuPG 2.2 cannot use`,
  };
}

/**
 * Explains why openpgp.js found no (sub)key for `use` at `now`, once
 * primaryKeyProblem() found nothing. `refusal` is openpgp.js's own error.
 */
export async function capabilityProblem(
  key: Key,
  use: KeyUse,
  now: Date,
  refusal: unknown,
): Promise<KeyProblem> {
  const noun = useNoun[use];
  // Flags are read from the newest binding signature without verifying it:
  // this only picks the words for a key openpgp.js has already refused.
  const candidates = key.subkeys.filter((s) => flagged(latest(s.bindingSignatures), use));
  if (candidates.length === 0 && !flagged(await primarySelfSignature(key, now), use)) {
    const only = use === 'encrypt' ? ' (it can only sign)' : '';
    return { kind: 'incapable', reason: `has no ${noun} key${only}` };
  }
  const revoked = await Promise.all(
    candidates.map(async (s) => {
      const binding = latest(s.bindingSignatures);
      return binding !== undefined && (await s.isRevoked(binding, key.keyPacket, now));
    }),
  );
  if (candidates.length > 0 && revoked.every(Boolean)) {
    return { kind: 'subkey-revoked', reason: `has its ${noun} subkey revoked` };
  }
  const expiries = await Promise.all(candidates.map(async (s) => expiryDate(await s.getExpirationTime(now))));
  const expired = expiries.filter((d) => d !== undefined && d <= now).map((d) => d!.getTime());
  if (expired.length > 0) {
    return {
      kind: 'subkey-expired',
      reason: `has its ${noun} subkey expired on ${day(new Date(Math.max(...expired)))}`,
    };
  }
  const detail = refusal instanceof Error ? refusal.message : String(refusal);
  return { kind: 'unusable', reason: `has no usable ${noun} key (${detail})` };
}
