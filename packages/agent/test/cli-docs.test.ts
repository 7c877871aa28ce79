import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderCliReference } from '../src/cli-docs.ts';
import { commands } from '../src/commands/index.ts';

it('docs/CLI.md matches the commands (run `npm run docs` after changing a command)', async () => {
  const onDisk = await readFile(join(import.meta.dirname, '../../../docs/CLI.md'), 'utf8');
  expect(onDisk).toBe(renderCliReference(commands));
});
