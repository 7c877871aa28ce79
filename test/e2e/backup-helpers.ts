// Shared by the backup-*.test.ts suites (issue 4's end-to-end proof): keys
// made with openpgp.js as an admin would, the CLI run in-process through
// runCli exactly as a CronJob runs it (flags, and credentials in the
// environment only), and the comparisons the proofs rest on — an
// `etcdutl snapshot status`, a recursive tree comparison (content and modes),
// the store listing as `lifeboat list -o json` prints it.
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Io, runCli } from '@lifeboat/agent';
import type { BackupMetadata } from '@lifeboat/core';
import * as openpgp from 'openpgp';
import { expect } from 'vitest';

export const run = promisify(execFile);
export const MiB = 1024 * 1024;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const agentDir = join(import.meta.dirname, '../../packages/agent');
export const cliPath = join(agentDir, 'src/cli.ts');

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `lifeboat argv…` in-process with only this environment (what a CronJob's pod would have). */
export async function lifeboat(
  argv: string[],
  env: Record<string, string | undefined> = {},
  extra: Partial<Pick<Io, 'signal' | 'interactive'>> & { onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
      extra.onStderr?.(t);
    },
    env,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.interactive ? { interactive: true } : {}),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** Like lifeboat(), but the command must succeed; stderr is shown when it does not. */
export async function lifeboatOk(argv: string[], env: Record<string, string | undefined> = {}) {
  const r = await lifeboat(argv, env);
  if (r.code !== 0) {
    throw new Error(`lifeboat ${argv.join(' ')} exited ${r.code}:\n${r.err}\n${r.out}`);
  }
  return r;
}

/**
 * A failed run's stderr: JSON log lines, then exactly one line "lifeboat: <reason>"
 * (no stack trace, nothing multi-line), which must match pattern. Returns that line.
 */
export function expectOneLineError(err: string, pattern: RegExp): string {
  // An interactive run redraws its progress line with "\r ESC[K": on a terminal
  // each redraw, and the error after it, starts a fresh line.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes
  const clean = err.replace(/\r\x1b\[K/g, '\n').replace(/\r/g, '\n');
  const lines = clean.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => l.startsWith('lifeboat: '));
  expect(errors, `stderr:\n${err}`).toHaveLength(1);
  expect(lines.at(-1), 'the error line is the last line').toBe(errors[0]);
  expect(errors[0]).toMatch(pattern);
  expect(clean, 'no stack trace on stderr').not.toMatch(/^\s+at /m);
  return errors[0]!;
}

export interface Keys {
  dir: string;
  /** Two recipients: armored public key files given to backup, private ones for verify/fetch/gpg. */
  recipients: { name: string; pub: string; key: string; fingerprint: string }[];
  signer: { pub: string; key: string; fingerprint: string };
}

/** Two recipient keys and a signing key, openpgp.js defaults (v4, curve25519), as files in dir. */
export async function makeKeys(dir: string): Promise<Keys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const make = async (name: string) => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: `Lifeboat e2e ${name}`, email: `${name}@e2e.invalid` }],
      format: 'armored',
    });
    const pub = join(dir, `${name}.pub.asc`);
    const key = join(dir, `${name}.key.asc`);
    await writeFile(pub, publicKey);
    await writeFile(key, privateKey, { mode: 0o600 });
    const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    return { name, pub, key, fingerprint };
  };
  const [alice, bob, signer] = await Promise.all([make('auditor-a'), make('auditor-b'), make('cluster')]);
  return { dir, recipients: [alice!, bob!], signer: signer! };
}

/** The flags every backup here passes: both recipients and the signing key. */
export function keyFlags(keys: Keys): string[] {
  return [...keys.recipients.flatMap((r) => ['--recipient', r.pub]), '--signing-key', keys.signer.key];
}

export interface Listed {
  id: string;
  cluster: string;
  node: string;
  state: 'complete' | 'incomplete' | 'invalid';
  payloadSize?: number;
  metadata?: BackupMetadata;
  problem?: string;
}

/** `lifeboat list --store URL -o json`. */
export async function listStore(store: string, env: Record<string, string | undefined> = {}) {
  const r = await lifeboatOk(['list', '--store', store, '-o', 'json'], env);
  return JSON.parse(r.out) as Listed[];
}

export interface VerifyReport {
  id: string;
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  snapshot?: { hash: number; revision: number; totalKey: number; totalSize: number };
}

/** `lifeboat verify -o json`; the exit code must agree with report.ok. */
export async function verifyJson(
  store: string,
  id: string,
  flags: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; report: VerifyReport; err: string }> {
  const r = await lifeboat(['verify', '--store', store, id, ...flags, '-o', 'json'], env);
  const report = JSON.parse(r.out) as VerifyReport;
  expect(r.code, r.err).toBe(report.ok ? 0 : 1);
  return { code: r.code, report, err: r.err };
}

/** Waits until the wall clock is in a new second: backup ids are UTC seconds. */
export async function nextSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 30);
}

/** Polls fn until it returns a value other than undefined/false; fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface SnapshotStatusJson {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
  version?: string;
}

/** `etcdutl snapshot status -w json FILE`. */
export async function etcdutlStatus(etcdutl: string, file: string): Promise<SnapshotStatusJson> {
  const { stdout } = await run(etcdutl, ['snapshot', 'status', '-w', 'json', file]);
  return JSON.parse(stdout) as SnapshotStatusJson;
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  /** File content, or a symlink's target. */
  content?: Buffer | string;
}

/** Every entry below dir, by relative path: type, permission bits, content. */
export async function readTree(dir: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(dir, path);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.set(path, { type: 'dir', mode });
        await walk(path);
      } else if (st.isFile()) out.set(path, { type: 'file', mode, content: await readFile(abs) });
      else if (st.isSymbolicLink()) out.set(path, { type: 'symlink', mode: 0, content: await readlink(abs) });
      else out.set(path, { type: 'other', mode });
    }
  };
  await walk('');
  return out;
}

/** The two trees hold the same paths with the same types, modes and contents. */
export async function expectSameTree(actualDir: string, expectedDir: string): Promise<void> {
  const [actual, expected] = await Promise.all([readTree(actualDir), readTree(expectedDir)]);
  const files = [...expected.values()].filter((e) => e.type === 'file');
  expect(files.length, `${expectedDir} has files to compare`).toBeGreaterThan(10);
  // Modes and types as octal strings, so a difference reads plainly in the diff.
  const shape = (m: Map<string, TreeEntry>) =>
    Object.fromEntries([...m].map(([p, e]) => [p, `${e.type} ${e.mode.toString(8).padStart(4, '0')}`]));
  expect(shape(actual)).toEqual(shape(expected));
  for (const [path, e] of expected) {
    const a = actual.get(path)!;
    if (e.content !== undefined)
      expect(Buffer.compare(Buffer.from(a.content!), Buffer.from(e.content)), `content of ${path}`).toBe(0);
  }
}

/** Every file below dir (relative paths), for "nothing partial was left behind" checks. */
export async function filesBelow(dir: string): Promise<string[]> {
  const tree = await readTree(dir).catch(() => new Map<string, TreeEntry>());
  return [...tree].filter(([, e]) => e.type !== 'dir').map(([p]) => p);
}

/** The object keys a complete backup consists of (payload, metadata, signature). */
export function backupObjectKeys(m: BackupMetadata): string[] {
  const base = m.payload.key.replace(/\.tar(\.(zst|gz))?\.pgp$/, '');
  return [m.payload.key, `${base}.json`, `${base}.json.asc`].sort();
}
