import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../src/index.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-shell-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// Every one of these would do something other than print itself if it reached
// a shell unquoted. The canary is a file that exists only if one of them ran.
const canary = 'PWNED';
const nasty = [
  '',
  ' ',
  "it's",
  "'",
  "''''",
  '"',
  `"'"`,
  '\\',
  "\\'",
  'a b',
  '\t',
  '\n',
  'line1\nline2\n\n',
  '\r\n',
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `; touch ${canary}`,
  `' ; touch ${canary} ; '`,
  `x\ntouch ${canary}`,
  `a && touch ${canary}`,
  `a | touch ${canary}`,
  `>${canary}`,
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion is the point
  '${PATH}',
  '$1 $@ $* $$ $? $0',
  '!!',
  '!$',
  '*',
  '?',
  '[a]',
  '{a,b}',
  '~',
  '~root',
  '#comment',
  '-n',
  '-e \\x41',
  '( ) < > & | ;',
  'étoile ✓ 🚀',
  String.fromCharCode(...Array.from({ length: 127 }, (_, i) => i + 1)),
];

function printedBy(shell: string, script: string): Buffer {
  // stdin must not be a socket (libuv's pipes are), or bash thinks it runs
  // under sshd and reads ~/.bashrc.
  const run = spawnSync(shell, ['-c', script], {
    cwd: scratch,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(run.stderr.toString()).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('shellQuote', () => {
  it.each(nasty.map((value) => [JSON.stringify(value), value]))(
    'bash reads back %s byte for byte',
    (_, value) => {
      const out = printedBy('bash', `printf %s ${shellQuote(value)}`);
      expect(out.equals(Buffer.from(value, 'utf8'))).toBe(true);
      expect(existsSync(join(scratch, canary))).toBe(false);
    },
  );

  it.each(['bash', 'dash'])(
    '%s reads back every value of one shellCommand as separate arguments',
    (shell) => {
      const out = printedBy(shell, shellCommand(['printf', '%s\\0', ...nasty]));
      const args = out.toString('utf8').split('\0').slice(0, -1);
      expect(args).toEqual(nasty);
      expect(existsSync(join(scratch, canary))).toBe(false);
    },
  );

  it('survives random strings of every byte but NUL', () => {
    // A fixed-seed generator, so a failure here reproduces.
    let seed = 0x5eed;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const pool = [...Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)), 'é', '€', '🚀'];
    const values = Array.from({ length: 200 }, () =>
      Array.from({ length: next() % 12 }, () => pool[next() % pool.length]!).join(''),
    );
    const out = printedBy('bash', shellCommand(['printf', '%s\\0', ...values]));
    expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(values);
  });

  it.each([
    '--name=cp-1',
    '/var/lib/etcd',
    'https://10.0.0.11:2380',
    'cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380',
    'etcdutl',
    'user@host',
    '50%',
    'a+b',
  ])('leaves the plain word %s unquoted', (word) => {
    expect(shellQuote(word)).toBe(word);
  });

  it.each([
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['~', "'~'"],
    ['$HOME', "'$HOME'"],
    ['a*', "'a*'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('refuses lone surrogates, which have no bytes to quote', () => {
    expect(() => shellQuote('a\uD800b')).toThrow(/well-formed/);
  });
});

describe('shellCommand', () => {
  it('quotes each argument and joins them with spaces', () => {
    expect(shellCommand(['etcdutl', 'snapshot', 'restore', '/tmp/my snapshot.db', '--name=cp-1'])).toBe(
      "etcdutl snapshot restore '/tmp/my snapshot.db' --name=cp-1",
    );
  });

  it('refuses an empty command', () => {
    expect(() => shellCommand([])).toThrow(/program name/);
  });
});
