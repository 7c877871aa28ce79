import { defineCommand, noPositionals } from '../command.ts';
import type { Io } from '../io.ts';
import { json, type OutputFormat, outputFormat } from '../output.ts';
import { lifeboatVersion } from '../version.ts';

export interface VersionArgs {
  output: OutputFormat;
}

export function version(args: VersionArgs, io: Io): number {
  if (args.output === 'json') io.stdout(json({ version: lifeboatVersion, node: process.version }));
  else io.stdout(`lifeboat ${lifeboatVersion} (node ${process.version})\n`);
  return 0;
}

export const versionCommand = defineCommand<VersionArgs>({
  name: 'version',
  summary: 'print the lifeboat version',
  usage: '[-o table|json]',
  description:
    'Prints the version of lifeboat and of the Node.js runtime it runs on; include both in bug reports.',
  flags: {
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'table or json', default: 'table' },
  },
  examples: ['lifeboat version -o json'],
  args: (values, positionals) => {
    noPositionals('version', positionals);
    return { output: outputFormat(values['output'], ['table', 'json']) };
  },
  run: version,
});
