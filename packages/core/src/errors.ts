// Errors that reach a user carry a stable code (for scripts and logs) and a
// one-line message that says what to do; the cause keeps the detail for logs.

export type ErrorCode =
  | 'usage' // bad command line or config value
  | 'config' // a config file or field is invalid
  | 'not-found' // a file, backup or object does not exist
  | 'etcd' // talking to etcd failed
  | 'store' // a backup store refused or failed
  | 'crypto' // keys, encryption, signatures
  | 'integrity' // data is damaged: checksum, truncation, format
  | 'io' // local filesystem
  | 'aborted'; // cancelled by signal or caller

export class LifeboatError extends Error {
  override readonly name = 'LifeboatError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isLifeboatError(err: unknown, code?: ErrorCode): err is LifeboatError {
  return err instanceof LifeboatError && (code === undefined || err.code === code);
}

/** The one line a CLI prints for any thrown value. */
export function errorLine(err: unknown): string {
  if (err instanceof LifeboatError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
