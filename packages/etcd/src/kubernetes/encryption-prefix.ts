// Values encrypted at rest by kube-apiserver start with a cleartext prefix
// (k8s.io/apiserver pkg/server/options/encryptionconfig/config.go):
//   k8s:enc:aescbc:v1:<key>:   k8s:enc:aesgcm:v1:<key>:   k8s:enc:secretbox:v1:<key>:
//   k8s:enc:kms:v1:<provider>:  k8s:enc:kms:v2:<provider>:<EncryptedObject protobuf>
// The identity provider writes no prefix (plaintext). We report who can
// decrypt the value and never try to.
import { asString, fields } from '../protobuf/wire.ts';

export interface EncryptionInfo {
  /** aescbc, aesgcm, secretbox, kms, or whatever a future server writes. */
  provider: string;
  /** v1 / v2: the prefix's version (KMS v1 and v2 differ). */
  providerVersion: string;
  /** The key name (aescbc/aesgcm/secretbox) or KMS provider name from the encryption config. */
  keyName?: string;
  /** KMS v2 only: the key id the plugin reported when the value was written. */
  kmsKeyId?: string;
}

const magic = 'k8s:enc:';

export function isEncrypted(value: Uint8Array): boolean {
  return (
    value.length >= magic.length && Buffer.from(value.subarray(0, magic.length)).toString('latin1') === magic
  );
}

/**
 * Reads the prefix of a value for which isEncrypted() holds. Names are taken
 * up to the next ':' — config names with ':' (allowed for KMS v1 and AES keys)
 * are ambiguous against the binary ciphertext and come out cut at the colon.
 */
export function parseEncryptionPrefix(value: Uint8Array): EncryptionInfo {
  // The prefix is ASCII and short; latin1 maps bytes 1:1 so offsets stay byte offsets.
  const head = Buffer.from(value.subarray(0, 512)).toString('latin1');
  const parts = head.slice(magic.length).split(':');
  const provider = parts[0] ?? '';
  const providerVersion = parts[1] ?? '';
  const info: EncryptionInfo = { provider, providerVersion };
  // Three colons after the magic means a name was written and terminated.
  if (parts.length >= 4 && parts[2]) info.keyName = parts[2];
  if (provider === 'kms' && providerVersion === 'v2' && info.keyName !== undefined) {
    const start = magic.length + provider.length + providerVersion.length + info.keyName.length + 3;
    const kmsKeyId = readKmsV2KeyId(value.subarray(start));
    if (kmsKeyId) info.kmsKeyId = kmsKeyId;
  }
  return info;
}

/** EncryptedObject {encryptedData = 1, keyID = 2, …}; best effort, the value stays opaque. */
function readKmsV2KeyId(buf: Uint8Array): string | undefined {
  try {
    for (const f of fields(buf, 'KMS v2 EncryptedObject')) if (f.number === 2) return asString(f);
  } catch {
    // Damaged ciphertext is the KMS plugin's business; the prefix was readable.
  }
  return undefined;
}
