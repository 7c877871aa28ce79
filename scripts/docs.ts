// `npm run docs`: regenerates docs/CLI.md from the CLI's command table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCliReference } from '../packages/agent/src/cli-docs.ts';
import { commands } from '../packages/agent/src/commands/index.ts';

const file = join(import.meta.dirname, '../docs/CLI.md');
writeFileSync(file, renderCliReference(commands));
console.log(`wrote ${file}`);
