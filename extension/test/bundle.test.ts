// The bundle VS Code would load: one CommonJS file that requires nothing but
// `vscode`. Loaded here in a plain Node process with the fake standing in.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-extension-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

it('bundles to CommonJS that activates with only `vscode` external', async () => {
  const bundle = join(scratch, 'extension.cjs');
  const build = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'build.ts'), bundle], {
    encoding: 'utf8',
  });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  const code = await readFile(bundle, 'utf8');
  const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
  expect([...required].filter((name) => !name?.startsWith('node:'))).toEqual(['vscode']);

  const loader = join(scratch, 'load.mjs');
  await writeFile(
    loader,
    `import Module, { createRequire } from 'node:module';
import * as fake from ${JSON.stringify(join(import.meta.dirname, 'fake-vscode.ts'))};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? fake : load.call(this, request, ...rest);
};
const extension = createRequire(import.meta.url)(${JSON.stringify(bundle)});
extension.activate({ subscriptions: [] });
await fake.commands.executeCommand('lifeboat.showLog');
console.log(JSON.stringify({
  commands: [...fake.registered.commands.keys()],
  views: [...fake.registered.treeProviders.keys()],
  shown: fake.registered.channels.map((c) => [c.name, c.shown]),
}));
`,
  );
  const run = spawnSync(process.execPath, [loader], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({
    commands: ['lifeboat.showLog'],
    views: ['lifeboat.backups'],
    shown: [['Lifeboat', 1]],
  });
});
