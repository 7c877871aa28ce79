import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.ts';
import { memoryIo } from './helpers.ts';

describe('backup, list, verify, fetch and prune refuse bad input before touching anything', () => {
  let dir: string;
  let pub: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-cli-'));
    const key = await openpgp.generateKey({ userIDs: [{ name: 'ops' }], format: 'armored' });
    pub = join(dir, 'ops.asc');
    await writeFile(pub, key.publicKey);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const io = memoryIo(env);
    const code = await runCli(argv, io);
    return { code, err: io.err(), out: io.out() };
  };

  it.each([
    [['backup', '--store', 'file:///tmp/x'], /no recipients: pass --recipient/],
    [['backup', '--recipient', 'PUB', '--compression', 'lz4'], /--compression lz4: use zstd, gzip or none/],
    [['backup', '--recipient', 'PUB', '--node', 'Bad_Node'], /node name "Bad_Node" is invalid/],
    [['backup', '--recipient', 'PUB', '--keep-daily', 'many'], /--keep-daily must be a whole number/],
    [['backup', '--recipient', 'PUB'], /no store: pass --store URL/],
    [['backup', '--recipient', 'PUB', '--store', 'ftp://x'], /unsupported scheme/],
    [['list'], /no store: pass --store URL/],
    [['verify', '--store', 'file:///tmp/x'], /verify takes one backup id/],
    [['fetch', '--store', 'file:///tmp/x', '20261121T143005Z', '--key', 'k.asc'], /fetch needs --out DIR/],
    [['fetch', '--store', 'file:///tmp/x', '20261121T143005Z', '--out', '/tmp/o'], /fetch needs --key/],
    [['prune', '--store', 'file:///tmp/x'], /no retention rule/],
  ])('%j → exit 2 with one line', async (argv, reason) => {
    const { code, err } = await run(argv.map((a) => (a === 'PUB' ? pub : a)));
    expect(err).toMatch(reason);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
  });

  it('reads settings from LIFEBOAT_* and a config file, naming the bad field', async () => {
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      `store: file://${dir}/store\nrecipient: [${pub}]\nretention:\n  keep-daily: -3\n`,
    );
    const { code, err } = await run(['backup'], { LIFEBOAT_CONFIG: config });
    expect(err).toMatch(/config.yaml: keep-daily must be a whole number/);
    expect(code).toBe(1);
  });

  it('lists an empty store and finds no backup to verify', async () => {
    const store = `file://${dir}/empty`;
    expect((await run(['list', '--store', store])).out).toMatch(/no backups in/);
    const verify = await run(['verify', '--store', store, '20261121T143005Z']);
    expect(verify.err).toMatch(/not-found: no backup 20261121T143005Z/);
    expect(verify.code).toBe(1);
  });
});
