// A kubeadm-shaped PKI, generated fresh for every test run: the same file
// names, subjects, SANs and key usages kubeadm writes under
// /etc/kubernetes/pki, so discovery and TLS behave as on a real node.
import { KeyObject, webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its services through tsyringe, which needs this polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const rsa = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface Issued {
  cert: string; // PEM
  key: string; // PEM (PKCS#1 "RSA PRIVATE KEY", as kubeadm writes)
}

export interface Authority extends Issued {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

const year = 365 * 24 * 3600 * 1000;

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function pkcs1(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs1', format: 'pem' }).toString();
}

export async function createAuthority(commonName: string, validFor = 10 * year): Promise<Authority> {
  const keys = await keyPair();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validFor),
    signingAlgorithm: rsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys, cert: certificate.toString('pem'), key: pkcs1(keys.privateKey) };
}

export interface LeafOptions {
  commonName: string;
  organization?: string;
  server?: boolean;
  client?: boolean;
  dnsNames?: string[];
  ips?: string[];
  /** Defaults to one year, as kubeadm's leaf certificates. */
  notAfter?: Date;
  notBefore?: Date;
}

export async function issue(ca: Authority, options: LeafOptions): Promise<Issued> {
  const keys = await keyPair();
  const usages: string[] = [];
  if (options.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (options.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const subject = `CN=${options.commonName}${options.organization ? `, O=${options.organization}` : ''}`;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(now - 60_000),
    notAfter: options.notAfter ?? new Date(now + year),
    signingAlgorithm: rsa,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(usages),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  return { cert: certificate.toString('pem'), key: pkcs1(keys.privateKey) };
}

/** The service-account signing key pair (sa.key, sa.pub). */
export async function serviceAccountKeys(): Promise<{ key: string; pub: string }> {
  const keys = await keyPair();
  return {
    key: pkcs1(keys.privateKey),
    pub: KeyObject.from(keys.publicKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}
