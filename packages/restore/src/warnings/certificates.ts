// The certificates of the backed-up /etc/kubernetes, with their expiry as of
// the restore: a control plane restored with expired certificates does not
// come back, and the runbook should say so before anything is stopped.
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PlanWarning } from './warning.ts';

export type CertificateState = 'ok' | 'expiring' | 'expired' | 'not-yet-valid' | 'unreadable';

export interface CertificateReport {
  /** Path below the scanned folder, e.g. "pki/apiserver.crt". */
  path: string;
  subject: string;
  notBefore?: string;
  notAfter?: string;
  /** Whole days from `now` to notAfter (negative once expired). */
  daysLeft?: number;
  state: CertificateState;
}

const dayMs = 86_400_000;
export const expiryWarningDays = 30;

async function crtFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    },
  );
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.crt'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function commonName(subject: string): string {
  const cn = /^CN=(.*)$/m.exec(subject);
  return cn ? cn[1]! : subject.replaceAll('\n', ', ');
}

/** Reads every *.crt below `dir` (e.g. <bundle>/kubernetes). Files that do not parse are reported, not thrown. */
export async function scanCertificates(dir: string, now: Date): Promise<CertificateReport[]> {
  const reports: CertificateReport[] = [];
  for (const file of await crtFiles(dir)) {
    const path = relative(dir, file);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(await readFile(file));
    } catch {
      reports.push({ path, subject: '', state: 'unreadable' });
      continue;
    }
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / dayMs);
    let state: CertificateState = 'ok';
    if (notAfter.getTime() <= now.getTime()) state = 'expired';
    else if (notBefore.getTime() > now.getTime()) state = 'not-yet-valid';
    else if (notAfter.getTime() - now.getTime() < expiryWarningDays * dayMs) state = 'expiring';
    reports.push({
      path,
      subject: commonName(cert.subject),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      daysLeft,
      state,
    });
  }
  return reports;
}

export function certificateWarnings(reports: readonly CertificateReport[]): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const expired = reports.filter((r) => r.state === 'expired');
  const expiring = reports.filter((r) => r.state === 'expiring');
  if (expired.length > 0) {
    warnings.push({
      code: 'certificate-expired',
      message: `${expired.length} backed-up certificate(s) have expired: ${expired.map((r) => r.path).join(', ')}; renew them (kubeadm certs renew) before or right after the restore, or the control plane will not come back`,
    });
  }
  if (expiring.length > 0) {
    warnings.push({
      code: 'certificate-expiring',
      message: `${expiring.length} backed-up certificate(s) expire within ${expiryWarningDays} days: ${expiring.map((r) => `${r.path} (${r.daysLeft}d)`).join(', ')}`,
    });
  }
  return warnings;
}
