// What the last Verify said about each backup, kept for the session so the
// tree can show it (icon and tooltip) until the backup is verified again.
import type { VerifyReport } from '@lifeboat/agent/library';

export interface Verification {
  ok: boolean;
  at: Date;
  /** One line: the failed check, or how deep the passing verification went. */
  summary: string;
  /** Decrypted and read the snapshot, or only checked integrity and signatures. */
  deep: boolean;
}

/** A backup's identity across stores: the store URL and cluster/node/id. */
export function backupKey(url: string, ref: { cluster: string; node: string; id: string }): string {
  return `${url}#${ref.cluster}/${ref.node}/${ref.id}`;
}

export function summarize(report: VerifyReport, deep: boolean, at = new Date()): Verification {
  const failed = report.checks.filter((c) => !c.ok);
  const summary = failed.length
    ? failed.map((c) => `${c.name}: ${c.detail}`).join('; ')
    : `${report.checks.length} checks passed${deep ? ' (decrypted, snapshot read)' : ' (integrity and signatures)'}`;
  return { ok: report.ok, at, summary, deep };
}

export class Verifications {
  readonly #byKey = new Map<string, Verification>();

  get(key: string): Verification | undefined {
    return this.#byKey.get(key);
  }

  set(key: string, verification: Verification): void {
    this.#byKey.set(key, verification);
  }
}
