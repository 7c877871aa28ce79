// The bundle VS Code would load: one CommonJS file that requires nothing but
// `vscode`. Loaded here in a plain Node process with the fake standing in.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
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
  const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
  const builtin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);
  // Optional add-ons dependencies try to require() inside try/catch and do without.
  const optional = ['supports-color', 'bufferutil', 'utf-8-validate', '@aws-sdk/signature-v4-crt'];
  expect([...required].filter((name) => !builtin(name) && !optional.includes(name))).toEqual(['vscode']);

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
extension.activate({ subscriptions: [], globalStorageUri: fake.Uri.file('/nonexistent'), secrets: {}, globalState: {} });
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
  const manifest = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
  const result = JSON.parse(run.stdout);
  expect(result.commands.sort()).toEqual(
    manifest.contributes.commands.map((c: { command: string }) => c.command).sort(),
  );
  expect(result.views).toEqual(['lifeboat.backups', 'lifeboat.opened', 'lifeboat.plan']);
  expect(result.shown).toEqual([['Lifeboat', 1]]);
});
