import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands, lifeboatVersion, runCli } from '../src/index.ts';
import { memoryIo } from './helpers.ts';

const packageVersion: string = JSON.parse(
  readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'),
).version;

describe('help', () => {
  it.each([[[]], [['--help']], [['-h']], [['help']]])('%j lists every command', async (argv) => {
    const io = memoryIo();
    expect(await runCli(argv, io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: lifeboat <command> \[flags\]$/m);
    for (const command of commands)
      expect(io.out()).toMatch(new RegExp(`^  ${command.name} +${command.summary}$`, 'm'));
    expect(io.err()).toBe('');
  });

  it.each(commands.map((c) => c.name))(
    '"%s" teaches: usage, description, flags with defaults, example',
    async (name) => {
      const viaHelp = memoryIo();
      const viaFlag = memoryIo();
      expect(await runCli(['help', name], viaHelp)).toBe(0);
      expect(await runCli([name, '--help'], viaFlag)).toBe(0);
      const help = viaHelp.out();
      expect(viaFlag.out()).toBe(help);
      expect(help).toMatch(new RegExp(`^Usage: lifeboat ${name}\\b`));
      expect(help).toMatch(/^Flags:\n(?:.*\n)*? {2}-h, --help +show this help$/m);
      expect(help).toMatch(new RegExp(`^Examples?:\\n {2}lifeboat ${name}\\b`, 'm'));
    },
  );

  it('shows flag defaults in help', async () => {
    const io = memoryIo();
    await runCli(['discover', '--help'], io);
    expect(io.out()).toMatch(
      /--kubernetes-dir DIR .*\n.*\(default: \$LIFEBOAT_KUBERNETES_DIR, else \/etc\/kubernetes\)/,
    );
    expect(io.out()).toMatch(/-o, --output FORMAT +table or json \(default: table\)/);
  });

  it('shows help even next to a wrong flag', async () => {
    const io = memoryIo();
    expect(await runCli(['discover', '--bogus', '-h'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: lifeboat discover/);
  });

  it('refuses help for a command that does not exist', async () => {
    const io = memoryIo();
    expect(await runCli(['help', 'backpu'], io)).toBe(2);
    expect(io.err()).toBe('lifeboat: usage: no command named "backpu"; run "lifeboat help" to list them\n');
  });
});

describe('version', () => {
  it('prints the version from package.json', async () => {
    const io = memoryIo();
    expect(await runCli(['version'], io)).toBe(0);
    expect(lifeboatVersion).toBe(packageVersion);
    expect(io.out()).toBe(`lifeboat ${packageVersion} (node ${process.version})\n`);
  });

  it('prints JSON with -o json, and answers --version too', async () => {
    const io = memoryIo();
    expect(await runCli(['--version', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ version: packageVersion, node: process.version });
  });
});

describe('unknown input', () => {
  it.each([
    [['backpu'], 'lifeboat: usage: unknown command "backpu"; run "lifeboat help" to list the commands\n'],
    [
      ['-o', 'json'],
      'lifeboat: usage: "-o" is not a command: flags follow the command, as in "lifeboat <command> -o json"; run "lifeboat help" to list the commands\n',
    ],
  ])('%j is a usage error (exit 2)', async (argv, line) => {
    const io = memoryIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toBe(line);
  });

  it('flattens a failure whose reason spans lines into the one line it prints', async () => {
    // The path lands in the not-found message, newline and all.
    const io = memoryIo();
    expect(await runCli(['discover', '--kubernetes-dir', '/nonexistent\nsecond-line'], io)).toBe(1);
    expect(io.err().split('\n')).toEqual([
      expect.stringMatching(
        /^lifeboat: not-found: \/nonexistent second-line\/manifests\/etcd\.yaml does not exist/,
      ),
      '',
    ]);
  });
});

describe('columns', () => {
  it('aligns a table of 200,000 rows (more than a call takes as arguments)', async () => {
    const { columns } = await import('../src/output.ts');
    const rows = Array.from({ length: 200_000 }, (_, i) => [`key-${i}`, String(i)]);
    const text = columns(['NAME', 'N'], rows);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines[0]).toBe('NAME        N');
    expect(lines.at(-1)).toBe('key-199999  199999');
  });
});
