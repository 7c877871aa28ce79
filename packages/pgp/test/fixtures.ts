// Real keys made by openpgp.js for each test, and throwaway folders to put them in.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach } from 'vitest';

export const dayMs = 86_400_000;
export const user = { name: 'Ops', email: 'ops@example.com' };

type KeyOptions = Partial<Parameters<typeof openpgp.generateKey>[0]>;

/** A v4 ed25519/cv25519 key pair (what GnuPG 2.2 makes by default with --quick-gen-key future-default). */
export async function makeKey(options: KeyOptions = {}) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [user],
    ...options,
    format: 'object',
  });
  return { privateKey, publicKey, fingerprint: publicKey.getFingerprint().toUpperCase() };
}

/** When a key made with keyExpirationTime stops working, computed from the key itself. */
export function expiryOf(key: { getCreationTime(): Date }, seconds: number): Date {
  return new Date(key.getCreationTime().getTime() + seconds * 1000);
}

export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** One armored block holding several keys, as `gpg --armor --export a b` writes it. */
export function armorTogether(keys: openpgp.Key[]): string {
  const parts = keys.map((k) => k.write());
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return openpgp.armor(openpgp.enums.armor.publicKey, all);
}

/**
 * Replaces the only self-signature with one that allows certifying but not
 * signing; openpgp.js cannot generate such a key directly.
 */
export async function withoutSigning(privateKey: openpgp.PrivateKey): Promise<openpgp.PrivateKey> {
  const uid = privateKey.users[0]!;
  const sig = new openpgp.SignaturePacket();
  sig.signatureType = openpgp.enums.signature.certPositive;
  sig.publicKeyAlgorithm = privateKey.keyPacket.algorithm;
  sig.hashAlgorithm = openpgp.enums.hash.sha256;
  sig.keyFlags = new Uint8Array([openpgp.enums.keyFlags.certifyKeys]);
  // The typings declare sign(key, bytes, date, detached); the runtime takes the
  // {userID, key} object for certifications and needs the config.
  const sign = sig.sign as unknown as (...args: unknown[]) => Promise<void>;
  await sign.call(
    sig,
    privateKey.keyPacket,
    { userID: uid.userID, key: privateKey.keyPacket },
    undefined,
    false,
    openpgp.config,
  );
  uid.selfCertifications = [sig];
  return openpgp.readPrivateKey({ armoredKey: privateKey.armor() });
}

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-pgp-'));
  dirs.push(dir);
  return dir;
}

/** Writes text to name in a fresh temp folder and returns its path. */
export async function keyFile(text: string, name = 'key.asc'): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, text);
  return path;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
