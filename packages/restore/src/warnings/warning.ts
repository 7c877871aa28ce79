// What a plan tells its reader before they run it. Warnings never stop a plan
// from being made: at 3 a.m. an imperfect restore may still be the best one,
// and the person running it decides, knowing.

export type WarningCode =
  | 'etcdutl-version'
  | 'server-version-unknown'
  | 'certificate-expired'
  | 'certificate-expiring'
  | 'backup-age'
  | 'backup-age-unknown'
  | 'topology'
  | 'raw-snapshot'
  | 'manifest-missing'
  | 'manifest-unused'
  | 'wal-dir';

export interface PlanWarning {
  code: WarningCode;
  /** One line, for the CLI and the runbook's list. */
  message: string;
}
