// Which OpenPGP packet format a backup is written in. Backups must open with
// GnuPG 2.2, which reads SEIPDv1 but not SEIPDv2 (AEAD), so AEAD is used only
// when every recipient's key says its software reads it.
//
// With encryption keys, openpgp.js v6 decides the same way itself: SEIPDv2 iff
// every key's primary self-signature has the SEIPDv2 feature flag
// (getPreferredCipherSuite); `aeadProtect` then only shapes password (SKESK)
// packets. Setting it to match keeps both paths consistent and makes the
// decision visible to callers and logs.
import { enums, type PartialConfig, type PublicKey } from 'openpgp';

// RFC 9580 §5.2.3.32; openpgp.js has it as enums.features.seipdv2 but leaves it out of its typings.
const seipdv2Feature = 0x08;

export interface EncryptionProfile {
  /** True: SEIPDv2 (AEAD); false: SEIPDv1, readable by GnuPG 2.2. */
  seipdv2: boolean;
  /** Pass as `config` to openpgp.encrypt(). */
  config: PartialConfig;
}

async function advertisesSeipdv2(key: PublicKey, now: Date): Promise<boolean> {
  const { selfCertification } = await key.getPrimaryUser(now);
  return ((selfCertification.features?.[0] ?? 0) & seipdv2Feature) !== 0;
}

export async function encryptionProfile(
  recipients: readonly { key: PublicKey }[],
  options: { now?: Date } = {},
): Promise<EncryptionProfile> {
  const now = options.now ?? new Date();
  const flags = await Promise.all(recipients.map((r) => advertisesSeipdv2(r.key, now)));
  const seipdv2 = flags.length > 0 && flags.every(Boolean);
  return {
    seipdv2,
    config: { aeadProtect: seipdv2, preferredSymmetricAlgorithm: enums.symmetric.aes256 },
  };
}
