// Prefixes built per k8s.io/apiserver's encryptionconfig (config.go): the
// cleartext "k8s:enc:<provider>:<version>:<name>:" before the ciphertext.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeValue, isEncrypted, parseEncryptionPrefix } from '../src/kubernetes/index.ts';
import { encode } from '../src/protobuf/wire.ts';

const sealed = (prefix: string, body: Uint8Array = randomBytes(48)) =>
  Buffer.concat([Buffer.from(prefix, 'latin1'), body]);

describe('encryption at rest', () => {
  it.each([
    ['k8s:enc:aescbc:v1:key1:', 'aescbc', 'key1'],
    ['k8s:enc:aesgcm:v1:2026-rotation:', 'aesgcm', '2026-rotation'],
    ['k8s:enc:secretbox:v1:box:', 'secretbox', 'box'],
    ['k8s:enc:kms:v1:vault-plugin:', 'kms', 'vault-plugin'],
  ])('reads %s', (prefix, provider, keyName) => {
    const value = sealed(prefix);
    expect(isEncrypted(value)).toBe(true);
    expect(decodeValue(value)).toEqual({
      encoding: 'encrypted',
      size: value.length,
      encryption: { provider, providerVersion: 'v1', keyName },
    });
  });

  it('reads the KMS v2 provider name and the key id inside its EncryptedObject', () => {
    const encryptedObject = encode([
      { number: 1, bytes: randomBytes(64) },
      { number: 2, bytes: 'arn:aws:kms:eu-west-1:1:key/abc' },
      { number: 3, bytes: randomBytes(32) },
    ]);
    const value = sealed('k8s:enc:kms:v2:aws-kms:', encryptedObject);
    expect(parseEncryptionPrefix(value)).toEqual({
      provider: 'kms',
      providerVersion: 'v2',
      keyName: 'aws-kms',
      kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/abc',
    });
  });

  it('still reports a KMS v2 value whose EncryptedObject is damaged', () => {
    const value = sealed('k8s:enc:kms:v2:aws-kms:', Buffer.from([0x0a, 0x7f, 0x01]));
    expect(parseEncryptionPrefix(value)).toEqual({
      provider: 'kms',
      providerVersion: 'v2',
      keyName: 'aws-kms',
    });
  });

  it('reports an unknown provider and a prefix cut before the key name without guessing', () => {
    expect(parseEncryptionPrefix(sealed('k8s:enc:future:v9:k:'))).toEqual({
      provider: 'future',
      providerVersion: 'v9',
      keyName: 'k',
    });
    expect(parseEncryptionPrefix(Buffer.from('k8s:enc:aescbc:v1:key'))).toEqual({
      provider: 'aescbc',
      providerVersion: 'v1',
    });
    expect(parseEncryptionPrefix(Buffer.from('k8s:enc:'))).toEqual({ provider: '', providerVersion: '' });
  });

  it('does not treat identity-provider (plaintext) or look-alike values as encrypted', () => {
    expect(isEncrypted(Buffer.from('k8s\0\x0a'))).toBe(false);
    expect(isEncrypted(Buffer.from('k8s:en'))).toBe(false);
    expect(decodeValue(Buffer.from('k8s:encrypted?')).encoding).toBe('unknown');
  });
});
