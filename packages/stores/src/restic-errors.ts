// restic failures as one-line LifeboatErrors. restic ≥ 0.17 has exit codes
// for the common cases (10 no repository, 11 locked, 12 wrong password);
// Debian's 0.14 exits 1 for all of them, so its messages are matched too.
import { LifeboatError } from '@lifeboat/core';
import { markTransient } from './transient.ts';

/** What a restic run left behind, credentials already removed from the text. */
export interface ResticOutcome {
  /** restic's subcommand, for messages: "backup", "snapshots", … */
  command: string;
  exitCode?: number;
  /** A spawn error code, e.g. ENOENT when the binary is missing. */
  spawnCode?: string;
  stderr: string;
}

/** The cause kept on mapped errors: restic's exit code and its own words. */
export class ResticExit extends Error {
  override readonly name = 'ResticExit';
  readonly exitCode: number | undefined;
  constructor(outcome: ResticOutcome) {
    super(
      `restic ${outcome.command} exited ${outcome.exitCode ?? outcome.spawnCode}: ${outcome.stderr.trim()}`,
    );
    this.exitCode = outcome.exitCode;
  }
}

// restic ≥ 0.17 with --json reports its fatal error as a JSON line on stderr.
function resticMessage(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { message_type?: string; message?: string };
      if (parsed.message_type === 'exit_error' && parsed.message) return parsed.message;
    } catch {
      // Not JSON after all: plain text follows.
    }
  }
  return lines.filter(Boolean).join('\n');
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.replace(/^Fatal:\s*/, '').trim())
      .find(Boolean) ?? ''
  );
}

/** Maps a failed restic run against repository (already redacted) to a LifeboatError. */
export function resticError(outcome: ResticOutcome, repository: string, binary: string): LifeboatError {
  const cause = new ResticExit(outcome);
  const store = (message: string) => new LifeboatError('store', message, { cause });
  if (outcome.spawnCode === 'ENOENT') {
    return store(`cannot run restic: "${binary}" was not found on PATH; install restic 0.14 or newer`);
  }
  if (outcome.spawnCode) return store(`cannot run restic "${binary}": ${outcome.spawnCode}`);
  const message = resticMessage(outcome.stderr);
  const code = outcome.exitCode;
  if (code === 130)
    return new LifeboatError('aborted', `restic ${outcome.command} was interrupted`, { cause });
  if (code === 12 || /wrong password or no key found/i.test(message)) {
    return store(
      `wrong password for restic repository ${repository}: check RESTIC_PASSWORD or RESTIC_PASSWORD_FILE`,
    );
  }
  if (code === 11 || /repository is already locked/i.test(message)) {
    const holder = /already locked (?:exclusively )?by (.*)/i.exec(message)?.[1]?.trim();
    const since = /lock was created at (.*)/i.exec(message)?.[1]?.trim();
    const who = [holder && `by ${holder}`, since && `since ${since}`].filter(Boolean).join(', ');
    return markTransient(
      store(
        `restic repository ${repository} is locked${who ? ` ${who}` : ''}; wait for that restic to finish, or run "restic unlock" if it is gone`,
      ),
    );
  }
  if (
    code === 10 ||
    /Is there a repository at the following location|repository does not exist/i.test(message)
  ) {
    return store(`restic repository ${repository} does not exist; create it with "restic init"`);
  }
  const exit = code === undefined ? 'was killed' : `exited ${code}`;
  return store(`restic ${outcome.command} on ${repository} ${exit}: ${firstLine(message) || 'no message'}`);
}
