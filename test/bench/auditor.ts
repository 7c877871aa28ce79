// The benchmarks' one OpenPGP key: the auditor's (curve 25519, openpgp.js's
// and GnuPG's default), written as armored files for lifeboat and imported,
// secret half included, into a throwaway GnuPG home for the standard tools.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { createGpgHome, type Gpg } from '../infra/gpg.ts';
import type { Context } from './context.ts';

export interface AuditorKey {
  gpg: Gpg;
  publicKeyFile: string;
  privateKeyFile: string;
  fingerprint: string;
}

/** The key files go to ctx.work; the GnuPG home is removed at the end of the run. */
export async function auditorKey(ctx: Context): Promise<AuditorKey> {
  const dir = ctx.work;
  const gpg = await createGpgHome();
  ctx.defer(() => gpg.remove());
  const key = await openpgp.generateKey({
    userIDs: [{ name: 'Bench auditor', email: 'auditor@bench.invalid' }],
    format: 'armored',
  });
  const publicKeyFile = join(dir, 'auditor.pub.asc');
  const privateKeyFile = join(dir, 'auditor.key.asc');
  await writeFile(publicKeyFile, key.publicKey);
  await writeFile(privateKeyFile, key.privateKey, { mode: 0o600 });
  await gpg.run(['--batch', '--import'], key.privateKey);
  const fingerprint = (await openpgp.readKey({ armoredKey: key.publicKey })).getFingerprint().toUpperCase();
  return { gpg, publicKeyFile, privateKeyFile, fingerprint };
}
