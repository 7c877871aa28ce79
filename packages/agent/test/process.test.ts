// The CLI as users run it: a real process, real exit codes, real stderr.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeadmTree } from './helpers.ts';

const packageDir = join(import.meta.dirname, '..');
const cli = join(packageDir, 'src', 'cli.ts');

function run(script: string, argv: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [script, ...argv], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let tree: string;
let scratch: string;
beforeAll(async () => {
  tree = await kubeadmTree();
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-build-'));
});
afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe('node src/cli.ts', () => {
  it('exits 0 and prints the discovered connection', () => {
    const { code, stdout, stderr } = run(cli, ['discover', '-o', 'json'], { LIFEBOAT_KUBERNETES_DIR: tree });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).endpoints).toEqual(['https://127.0.0.1:2379', 'https://10.0.0.11:2379']);
  });

  it('exits 1 with exactly one line on stderr when the manifest is missing', () => {
    const missing = join(tree, 'nothing-here');
    const { code, stdout, stderr } = run(cli, ['discover', '--kubernetes-dir', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(
        `^lifeboat: not-found: ${join(missing, 'manifests/etcd.yaml')} does not exist; point --kubernetes-dir [^\\n]*\\n$`,
      ),
    );
  });

  it('exits 2 with exactly one line on stderr for a wrong command line', () => {
    const { code, stdout, stderr } = run(cli, ['discover', '--nope']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('lifeboat: usage: unknown option \'--nope\'; see "lifeboat discover --help"\n');
  });
});

describe('the esbuild bundle', () => {
  it('builds into a folder that runs outside the workspace, loading only the chunks a command needs', async () => {
    const out = join(scratch, 'dist');
    const build = spawnSync(process.execPath, [join(packageDir, 'build.ts'), out], { encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const bundle = join(out, 'lifeboat.mjs');
    expect((await readFile(bundle, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['chunks', 'lifeboat.mjs']);
    const chunks = await readdir(join(out, 'chunks'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.endsWith('.mjs'))).toBe(true);
    // Only ASCII: one other character makes V8 hold a whole file as a two-byte string.
    for (const file of [bundle, ...chunks.map((c) => join(out, 'chunks', c))]) {
      expect(
        (await readFile(file)).some((byte) => byte > 0x7f),
        file,
      ).toBe(false);
    }

    const version = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')).version;
    const printed = run(bundle, ['version', '-o', 'json']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).version).toBe(version);

    // `version` loads the entry and the command table, not every command's code.
    const hook = [
      "import { registerHooks } from 'node:module';",
      'const seen = [];',
      'registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });',
      "process.on('exit', () => process.stderr.write(JSON.stringify(seen)));",
    ].join('\n');
    const traced = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, bundle, 'version'],
      { encoding: 'utf8' },
    );
    expect(traced.status).toBe(0);
    const loaded = (JSON.parse(traced.stderr) as string[]).filter((u) => u.startsWith('file:'));
    let loadedBytes = 0;
    for (const url of loaded) loadedBytes += (await stat(fileURLToPath(url))).size;
    let allBytes = 0;
    for (const c of chunks) allBytes += (await stat(join(out, 'chunks', c))).size;
    expect(loadedBytes).toBeLessThan(allBytes / 10);

    // discover pulls in @lifeboat/etcd and the yaml parser: both must be inside the bundle.
    const found = run(bundle, ['discover', '--kubernetes-dir', tree, '-o', 'json']);
    expect(found.stderr).toBe('');
    expect(JSON.parse(found.stdout).memberName).toBe('cp-1');
  });

  it('refuses a file name where it wants a folder', () => {
    const build = spawnSync(process.execPath, [join(packageDir, 'build.ts'), join(scratch, 'lifeboat.mjs')], {
      encoding: 'utf8',
    });
    expect(build.status).toBe(2);
    expect(build.stderr).toMatch(/give a folder/);
  });
});
