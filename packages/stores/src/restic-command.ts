// Running the restic binary: the repository and password reach it through
// its environment (never argv, which every user on the node can read), and
// failures come back as mapped LifeboatErrors with credentials removed.
import { LifeboatError } from '@lifeboat/core';
import { execa } from 'execa';
import { redact } from './redact.ts';
import { resticError } from './restic-errors.ts';

export interface ResticOptions {
  /** Any repository restic takes: /srv/restic, s3:host/bucket, rest:https://…, sftp:… */
  repository: string;
  /** The restic program; default "restic" on PATH. */
  binary?: string;
  /** The repository password; default RESTIC_PASSWORD / RESTIC_PASSWORD_FILE / RESTIC_PASSWORD_COMMAND from env. */
  password?: string;
  /** A file holding the password. */
  passwordFile?: string;
  /** Environment for restic on top of this process's (e.g. AWS_* for an s3: repository). */
  env?: Record<string, string | undefined>;
  /** Prune after forgetting (delete and overwrite), so the space is freed at once; default true. */
  prune?: boolean;
}

export interface ResticRun {
  signal?: AbortSignal;
  /** Feed stdin from the caller (backup --stdin); otherwise stdin is closed. */
  stdin?: boolean;
  /** Hand stdout to the caller as a stream instead of collecting it (dump). */
  streamStdout?: boolean;
}

// restic exits on SIGINT after removing its lock and without saving a snapshot.
const interrupt = 'SIGINT';

export class Restic {
  readonly binary: string;
  /** The repository as it may appear in messages (no user-info). */
  readonly repository: string;
  readonly #env: Record<string, string>;
  readonly #secrets: string[];

  constructor(options: ResticOptions) {
    this.binary = options.binary ?? 'restic';
    this.repository = redact(options.repository);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...process.env, ...options.env })) {
      if (value !== undefined) env[name] = value;
    }
    // Our repository, and every snapshot regardless of host (RESTIC_HOST filters `snapshots` in ≥ 0.17).
    delete env['RESTIC_REPOSITORY_FILE'];
    delete env['RESTIC_HOST'];
    env['RESTIC_REPOSITORY'] = options.repository;
    if (options.password !== undefined) {
      delete env['RESTIC_PASSWORD_FILE'];
      delete env['RESTIC_PASSWORD_COMMAND'];
      env['RESTIC_PASSWORD'] = options.password;
    } else if (options.passwordFile !== undefined) {
      delete env['RESTIC_PASSWORD'];
      delete env['RESTIC_PASSWORD_COMMAND'];
      env['RESTIC_PASSWORD_FILE'] = options.passwordFile;
    }
    // Without one, restic would read the password from stdin: the first line of a backup's body.
    if (!env['RESTIC_PASSWORD'] && !env['RESTIC_PASSWORD_FILE'] && !env['RESTIC_PASSWORD_COMMAND']) {
      throw new LifeboatError(
        'usage',
        `no password for restic repository ${this.repository}: set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE, or pass one`,
      );
    }
    this.#env = env;
    // What restic's stderr must never carry into a message: the password, and
    // secrets of remote repositories (AWS_SECRET_ACCESS_KEY, B2_ACCOUNT_KEY, …).
    this.#secrets = Object.entries(env)
      .filter(
        ([name, value]) =>
          name === 'RESTIC_PASSWORD' || (/(PASSWORD|SECRET|TOKEN|_KEY)$/i.test(name) && value.length >= 8),
      )
      .map(([, value]) => value);
  }

  /** Starts restic with args; the caller awaits the returned subprocess (it never rejects). */
  start(args: string[], run: ResticRun = {}) {
    return execa(this.binary, args, {
      env: this.#env,
      extendEnv: false,
      stdin: run.stdin ? 'pipe' : 'ignore',
      buffer: { stdout: !run.streamStdout, stderr: true },
      encoding: run.streamStdout ? 'buffer' : 'utf8',
      reject: false,
      stripFinalNewline: false,
      killSignal: interrupt,
      forceKillAfterDelay: 10_000,
      ...(run.signal && { cancelSignal: run.signal }),
    });
  }

  /** Runs restic with args to the end; resolves to its stdout, rejects with a mapped LifeboatError. */
  async run(args: string[], signal?: AbortSignal): Promise<string> {
    const result = await this.start(args, signal ? { signal } : {});
    if (signal?.aborted)
      throw new LifeboatError('aborted', `restic ${args[0]} was aborted`, { cause: signal.reason });
    if (result.failed) throw this.error(args[0] ?? 'restic', result);
    return text(result.stdout);
  }

  /** The LifeboatError for a failed run of command. */
  error(command: string, result: { exitCode?: number; code?: string; stderr?: unknown }): LifeboatError {
    return resticError(
      {
        command,
        ...(result.exitCode !== undefined && { exitCode: result.exitCode }),
        ...(result.code !== undefined && { spawnCode: result.code }),
        stderr: redact(text(result.stderr), this.#secrets),
      },
      this.repository,
      this.binary,
    );
  }
}

/** restic's output as text, whether execa collected it as a string or as bytes. */
export function text(output: unknown): string {
  return output instanceof Uint8Array ? Buffer.from(output).toString('utf8') : String(output ?? '');
}
