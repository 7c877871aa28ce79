// Start-up stays cheap: the command table (names, flags, help) loads without
// any command's implementation, which each command imports when it runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { storedValueField } from '@lifeboat/etcd';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.ts';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');

/** The module URLs a CLI run loads, recorded by a synchronous resolve hook. */
function loadedModules(argv: string[]): string[] {
  const hook = [
    "import { registerHooks } from 'node:module';",
    'const seen = [];',
    'registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });',
    "process.on('exit', () => process.stderr.write(JSON.stringify(seen)));",
  ].join('\n');
  const result = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, cli, ...argv],
    { encoding: 'utf8' },
  );
  expect(result.status).toBe(0);
  return JSON.parse(result.stderr) as string[];
}

const heavy = [
  '@grpc',
  'openpgp',
  '@aws-sdk',
  '@kubernetes',
  'execa',
  '/yaml/',
  '/packages/etcd/',
  '/packages/pgp/',
];

describe('start-up', () => {
  for (const argv of [['version'], ['help'], ['backup', '--help'], ['snapshot', 'save', '--help']]) {
    it(`lifeboat ${argv.join(' ')} loads no command implementation`, () => {
      const loaded = loadedModules(argv);
      expect(loaded.some((url) => url.endsWith('/commands/index.ts'))).toBe(true);
      expect(loaded.filter((url) => heavy.some((h) => url.includes(h)))).toEqual([]);
      expect(loaded.filter((url) => url.includes('/commands/run/'))).toEqual([]);
    });
  }

  it('a backup that reports to no cluster never loads the Kubernetes client', () => {
    const hook = [
      "import { registerHooks } from 'node:module';",
      'const seen = [];',
      'registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.push(r.url); return r; } });',
      "process.on('exit', () => process.stderr.write(JSON.stringify(seen)));",
    ].join('\n');
    const report = join(import.meta.dirname, '..', 'src', 'kubernetes', 'report.ts');
    const script = [
      `const { reportOutcome } = await import(${JSON.stringify(report)});`,
      'const log = { info() {}, warn() {}, error() {}, debug() {}, progress() {} };',
      "const summary = await reportOutcome({ cluster: 'c', node: 'n', env: {} }, { ok: true, id: 'x', bytes: 1, revision: 2, durationMs: 3 }, log);",
      "if (summary.cluster !== undefined) throw new Error('reported to a cluster');",
    ].join('\n');
    const result = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const loaded = JSON.parse(result.stderr) as string[];
    expect(loaded.some((url) => url.endsWith('/kubernetes/report.ts'))).toBe(true);
    expect(loaded.filter((url) => url.includes('@kubernetes'))).toEqual([]);
  });

  it('snapshot get help names the field the etcd package writes', () => {
    const get = commands.find((c) => c.name === 'snapshot get');
    expect(get?.help).toContain(storedValueField);
  });
});
