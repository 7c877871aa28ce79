export { type EncryptionProfile, encryptionProfile } from './profile.ts';
export { expiryWarningDays, type LoadedRecipients, loadRecipients, type Recipient } from './recipients.ts';
export { loadSigningKey, type SigningKey } from './signing-key.ts';
