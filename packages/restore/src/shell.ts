// Restore scripts are run as root during an outage, so every value we put in
// one is quoted: POSIX single quotes make every byte literal, and the only
// character they cannot hold, the single quote itself, is spliced in as '\''.
import { LifeboatError } from '@lifeboat/core';

// Words made only of these need no quotes in sh, bash, dash or zsh: no
// globbing, expansion, word splitting or tilde at any position.
const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so any POSIX shell reads it back byte for byte. */
export function shellQuote(value: string): string {
  // A shell script cannot carry NUL (argv strings end at it), and lone
  // surrogates have no UTF-8 bytes: either would silently change the value.
  if (value.includes('\0')) {
    throw new LifeboatError(
      'usage',
      `${JSON.stringify(value)} contains a NUL byte, which no shell command can carry`,
    );
  }
  if (!value.isWellFormed()) {
    throw new LifeboatError('usage', `${JSON.stringify(value)} is not well-formed Unicode`);
  }
  if (plainWord.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** One command line: each argument quoted, joined by spaces. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new LifeboatError('usage', 'a shell command needs at least a program name');
  return argv.map(shellQuote).join(' ');
}
