import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient, ResticStore } from '../src/index.ts';
import { resticError } from '../src/restic-errors.ts';
import { newestByKey, parseFindSizes, parseSnapshots, snapshotLabels } from '../src/restic-snapshots.ts';
import { listAll, rejectionCode } from './conformance.ts';

const repo = '/srv/restic';
const map = (exitCode: number | undefined, stderr: string, command = 'snapshots') =>
  resticError({ command, ...(exitCode !== undefined && { exitCode }), stderr }, repo, 'restic');

describe('restic errors', () => {
  // restic 0.14 exits 1 for everything; newer versions have codes and JSON on stderr.
  const locked014 =
    'unable to create lock in backend: repository is already locked by PID 31750 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-21 15:06:26 (1.7s ago)\nstorage ID 191fa228\nthe `unlock` command can be used to remove stale locks\n';
  const locked019 = `{"message_type":"exit_error","code":11,"message":${JSON.stringify(locked014.replace('locked by', 'locked exclusively by'))}}\n`;

  it.each([
    ['0.14', 1, locked014, 'by PID 31750 on vm by root (UID 0, GID 0), since 2026-11-21 15:06:26 (1.7s ago)'],
    [
      '0.19',
      11,
      locked019,
      'by PID 31750 on vm by root (UID 0, GID 0), since 2026-11-21 15:06:26 (1.7s ago)',
    ],
  ])('a held lock (restic %s) names its holder and is transient', (_, code, stderr, who) => {
    const err = map(code, stderr);
    expect(err.code).toBe('store');
    expect(err.message).toBe(
      `restic repository ${repo} is locked ${who}; wait for that restic to finish, or run "restic unlock" if it is gone`,
    );
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    [1, 'Fatal: wrong password or no key found\n'],
    [12, '{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}\n'],
    [12, ''],
  ])('wrong password (exit %i)', (code, stderr) => {
    const err = map(code, stderr);
    expect(err.message).toBe(
      `wrong password for restic repository ${repo}: check RESTIC_PASSWORD or RESTIC_PASSWORD_FILE`,
    );
    expect(isTransient(err)).toBe(false);
  });

  it.each([
    [
      1,
      'Fatal: unable to open config file: stat /srv/restic/config: no such file or directory\nIs there a repository at the following location?\n/srv/restic\n',
    ],
    [10, 'Fatal: repository does not exist: unable to open config file\n'],
  ])('a missing repository (exit %i)', (code, stderr) => {
    expect(map(code, stderr).message).toBe(
      `restic repository ${repo} does not exist; create it with "restic init"`,
    );
  });

  it("a missing binary, an interruption, and anything else with restic's own first line", () => {
    const missing = resticError({ command: 'backup', spawnCode: 'ENOENT', stderr: '' }, repo, '/opt/restic');
    expect(missing.message).toBe(
      'cannot run restic: "/opt/restic" was not found on PATH; install restic 0.14 or newer',
    );
    expect(map(130, 'signal interrupt received, cleaning up').code).toBe('aborted');
    const other = map(1, 'Fatal: unable to save snapshot: disk on fire\nmore detail\n', 'backup');
    expect(other.code).toBe('store');
    expect(other.message).toBe(`restic backup on ${repo} exited 1: unable to save snapshot: disk on fire`);
    expect(String(other.cause)).toContain('more detail');
  });
});

describe('restic snapshots', () => {
  it('label a backup key with its node as host and its parts as tags', () => {
    expect(snapshotLabels('lifeboat/prod/cp-1/20261121T143000Z.tar.zst.pgp')).toEqual([
      '--tag=lifeboat',
      '--tag=key=lifeboat/prod/cp-1/20261121T143000Z.tar.zst.pgp',
      '--host=cp-1',
      '--tag=cluster=prod',
      '--tag=node=cp-1',
      '--tag=id=20261121T143000Z',
      '--tag=kind=payload',
    ]);
    expect(snapshotLabels('notes/a,b%')).toEqual(['--tag=lifeboat', '--tag=key=notes/a%2Cb%25']);
  });

  const json = JSON.stringify([
    { id: 'aaa', time: '2026-11-21T10:00:00.5Z', paths: ['/c/n/x'], tags: ['lifeboat'] },
    {
      id: 'bbb',
      time: '2026-11-21T11:00:00Z',
      paths: ['/c/n/x'],
      tags: ['lifeboat', 'key=c/n/x'],
      summary: { total_bytes_processed: 42 },
    },
    { id: 'ccc', time: '2026-11-21T09:00:00Z', paths: ['/home'], tags: ['nightly'] },
    { id: 'ddd', time: '2026-11-21T09:00:00Z', paths: ['/a', '/b'], tags: ['lifeboat'] },
    { id: 'eee', time: '2026-11-21T09:30:00Z', paths: ['/c/n/empty'], tags: ['lifeboat'] },
  ]);

  it("keep only this store's one-file snapshots, newest per key, with summary sizes", () => {
    const snapshots = parseSnapshots(json);
    expect(snapshots.map((s) => s.id)).toEqual(['aaa', 'bbb', 'eee']);
    const newest = newestByKey(snapshots);
    expect([...newest.keys()]).toEqual(['c/n/x', 'c/n/empty']);
    expect(newest.get('c/n/x')).toEqual({
      id: 'bbb',
      time: new Date('2026-11-21T11:00:00Z'),
      key: 'c/n/x',
      size: 42,
    });
    expect(newest.get('c/n/empty')?.size).toBeUndefined();
    expect(parseSnapshots('')).toEqual([]);
    expect(parseSnapshots('null')).toEqual([]);
  });

  it("size files from find output (restic 0.14), the file at the snapshot's path only", () => {
    const snapshots = parseSnapshots(json);
    const find = JSON.stringify([
      {
        snapshot: 'aaa',
        matches: [
          { path: '/c', type: 'dir' },
          { path: '/c/n', type: 'dir' },
          { path: '/c/n/x', type: 'file', size: 7 },
        ],
      },
      { snapshot: 'eee', matches: [{ path: '/c/n/empty', type: 'file' }] },
      { snapshot: 'zzz', matches: [{ path: '/q', type: 'file', size: 1 }] },
    ]);
    expect(parseFindSizes(find, snapshots)).toEqual(
      new Map([
        ['aaa', 7],
        ['eee', 0],
      ]),
    );
  });
});

describe('ResticStore without a real restic', () => {
  let dir: string;
  let envFile: string;
  let argsFile: string;
  let fake: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-restic-unit-'));
    envFile = join(dir, 'env');
    argsFile = join(dir, 'args');
    fake = join(dir, 'restic');
    // Records its environment and arguments, then answers like `snapshots --json` of an empty repo.
    await writeFile(fake, `#!/bin/sh\nenv > '${envFile}'\necho "$@" > '${argsFile}'\necho '[]'\n`);
    await chmod(fake, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const environment = async () =>
    Object.fromEntries(
      (await readFile(envFile, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );

  it('passes repository and password through the environment, never argv, and drops RESTIC_HOST', async () => {
    const store = new ResticStore({
      repository: 'rest:https://user:pw@backup.example/repo',
      password: 'hunter2-hunter2',
      binary: fake,
      env: { RESTIC_HOST: 'other-node', RESTIC_PASSWORD_FILE: '/etc/other', AWS_REGION: 'eu-1' },
    });
    expect(store.location).toBe('restic:rest:https://***@backup.example/repo');
    expect(await listAll(store)).toEqual([]);
    const env = await environment();
    expect(env['RESTIC_REPOSITORY']).toBe('rest:https://user:pw@backup.example/repo');
    expect(env['RESTIC_PASSWORD']).toBe('hunter2-hunter2');
    expect(env['RESTIC_PASSWORD_FILE']).toBeUndefined();
    expect(env['RESTIC_HOST']).toBeUndefined();
    expect(env['AWS_REGION']).toBe('eu-1');
    const args = await readFile(argsFile, 'utf8');
    expect(args.trim()).toBe('snapshots --no-lock --json --tag=lifeboat');
    expect(args).not.toContain('hunter2');
  });

  it('takes a password file instead', async () => {
    const store = new ResticStore({
      repository: '/srv/r',
      passwordFile: '/run/secrets/restic',
      binary: fake,
      env: { RESTIC_PASSWORD: 'from-env' },
    });
    await listAll(store);
    const env = await environment();
    expect(env['RESTIC_PASSWORD_FILE']).toBe('/run/secrets/restic');
    expect(env['RESTIC_PASSWORD']).toBeUndefined();
  });

  it('refuses to start without any password, since restic would read one from the body', () => {
    const saved = { ...process.env };
    for (const name of ['RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND'])
      delete process.env[name];
    try {
      expect(() => new ResticStore({ repository: '/srv/r', binary: fake })).toThrow(
        /no password for restic repository \/srv\/r: set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE/,
      );
      expect(
        () =>
          new ResticStore({ repository: '/srv/r', binary: fake, env: { RESTIC_PASSWORD_COMMAND: 'pass x' } }),
      ).not.toThrow();
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('checks keys before running restic', async () => {
    const store = new ResticStore({ repository: '/srv/r', password: 'x', binary: join(dir, 'absent') });
    expect(await rejectionCode(store.get('../etc/passwd'))).toBe('usage');
    expect(await rejectionCode(store.delete('a//b'))).toBe('usage');
  });
});
