// A command is its help text, its flags and a function. The flags feed both
// node:util parseArgs and the help, so the two cannot drift apart.
import { parseArgs } from 'node:util';
import { LifeboatError } from '@lifeboat/core';
import type { Io } from './io.ts';

export interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once (values arrive as a list). */
  multiple?: boolean;
  /** The value's name in help, e.g. DIR. */
  value?: string;
  description: string;
  /** The default as help shows it; the command applies it. */
  default?: string;
}

export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandSpec<Args> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The part of the usage line after "lifeboat <name>". */
  usage: string;
  /** What the command does and when to use it; paragraphs separated by blank lines. */
  description: string;
  flags: Record<string, Flag>;
  examples: string[];
  /** Turns parsed flags into the command's typed arguments; throws usage errors. */
  args: (values: ParsedValues, positionals: string[], env: Io['env']) => Args;
  run: (args: Args, io: Io) => Promise<number> | number;
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  /** Parses argv (everything after the command name) and runs; returns the exit code. */
  execute: (argv: string[], io: Io) => Promise<number>;
}

export const helpFlag: Flag = { type: 'boolean', short: 'h', description: 'show this help' };

export function defineCommand<Args>(spec: CommandSpec<Args>): Command {
  const flags = { ...spec.flags, help: helpFlag };
  const help = renderHelp(spec, flags);
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async execute(argv, io) {
      // Help wins over every other flag, even a wrong one: it is what a confused user needs.
      if (wantsHelp(argv)) {
        io.stdout(help);
        return 0;
      }
      const { values, positionals } = parse(spec.name, flags, argv);
      return spec.run(spec.args(values, positionals, io.env), io);
    },
  };
}

function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function parse(name: string, flags: Record<string, Flag>, argv: string[]) {
  const options = Object.fromEntries(
    Object.entries(flags).map(([flag, { type, short, multiple }]) => [
      flag,
      { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
    ]),
  );
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs explains at length; the first sentence is the part users need.
    const first = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    const reason = first.charAt(0).toLowerCase() + first.slice(1);
    throw new LifeboatError('usage', `${reason}; see "lifeboat ${name} --help"`, { cause: err });
  }
}

type HelpParts = Pick<CommandSpec<unknown>, 'name' | 'usage' | 'description' | 'examples'>;

// Help is read in terminals: a default that would make its line too long moves below it.
const helpWidth = 100;

function renderHelp(spec: HelpParts, flags: Record<string, Flag>): string {
  const rows = Object.entries(flags).map(([flag, f]) => {
    const names = (f.short ? `-${f.short}, ` : '    ') + `--${flag}` + (f.value ? ` ${f.value}` : '');
    return [names, f.description, f.default ? `(default: ${f.default})` : ''] as const;
  });
  const width = Math.max(...rows.map(([names]) => names.length));
  const flagLine = ([names, text, fallback]: (typeof rows)[number]) => {
    const line = `  ${names.padEnd(width)}   ${text}`;
    if (!fallback) return line;
    if (line.length + fallback.length < helpWidth) return `${line} ${fallback}`;
    return `${line}\n${' '.repeat(width + 5)}${fallback}`;
  };
  return [
    `Usage: lifeboat ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}`,
    '',
    spec.description,
    '',
    'Flags:',
    ...rows.map(flagLine),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** Refuses positional arguments for commands that take none. */
export function noPositionals(name: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new LifeboatError(
      'usage',
      `"lifeboat ${name}" takes no arguments, got "${positionals[0]}"; see "lifeboat ${name} --help"`,
    );
  }
}
