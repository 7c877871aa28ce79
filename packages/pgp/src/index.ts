export {
  type DecryptedStream,
  type DecryptResult,
  type DecryptStreamOptions,
  decryptStream,
} from './decrypt.ts';
export { type DecryptToFileOptions, decryptToFile } from './decrypt-to-file.ts';
export { type DecryptionKey, loadDecryptionKeys } from './decryption-keys.ts';
export { signDetached, verifyDetached } from './detached.ts';
export { type EncryptStreamOptions, encryptStream } from './encrypt.ts';
export type { ExpectedSigner } from './expected-signer.ts';
export { fingerprintOf } from './key-facts.ts';
export { type EncryptionProfile, encryptionProfile } from './profile.ts';
export { publicKeyOf } from './public-key.ts';
export { expiryWarningDays, type LoadedRecipients, loadRecipients, type Recipient } from './recipients.ts';
export { loadSigningKey, type SigningKey } from './signing-key.ts';
export * from './verification-keys.ts';
