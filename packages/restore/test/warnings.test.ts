import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupAgeWarning,
  certificateWarnings,
  etcdutlWarning,
  humanDuration,
  majorMinor,
  probeEtcdutl,
  scanCertificates,
  versionFromImage,
} from '../src/index.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-warn-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const day = 86_400_000;

describe('certificates', () => {
  let tree: string;
  let issued: Date;
  beforeAll(async () => {
    tree = join(scratch, 'kubernetes');
    await mkdir(join(tree, 'pki/etcd'), { recursive: true });
    const cert = (path: string, cn: string, days: number) =>
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          '/dev/null',
          '-out',
          join(tree, path),
          '-days',
          String(days),
          '-subj',
          `/CN=${cn}`,
        ],
        { stdio: 'ignore' },
      );
    cert('pki/ca.crt', 'kubernetes', 3650);
    // X.509 times are whole seconds: measure from the certificate, an hour in.
    issued = new Date(
      Date.parse(new X509Certificate(readFileSync(join(tree, 'pki/ca.crt'))).validFrom) + 3_600_000,
    );
    cert('pki/apiserver.crt', 'kube-apiserver', 365);
    cert('pki/etcd/server.crt', 'cp-1', 20);
    cert('pki/etcd/peer.crt', 'cp-1', 1);
    await writeFile(join(tree, 'pki/broken.crt'), 'not a certificate\n');
    await writeFile(join(tree, 'pki/ca.key'), 'ignored: not a .crt\n');
  });

  it('reports every .crt below the tree with its expiry as of the given time', async () => {
    const in5days = new Date(issued.getTime() + 5 * day);
    const reports = await scanCertificates(tree, in5days);
    expect(reports.map((r) => [r.path, r.subject, r.state, r.daysLeft])).toEqual([
      ['pki/apiserver.crt', 'kube-apiserver', 'ok', 359],
      ['pki/broken.crt', '', 'unreadable', undefined],
      ['pki/ca.crt', 'kubernetes', 'ok', 3644],
      ['pki/etcd/peer.crt', 'cp-1', 'expired', -5],
      ['pki/etcd/server.crt', 'cp-1', 'expiring', 14],
    ]);
    const warnings = certificateWarnings(reports);
    expect(warnings.map((w) => w.code)).toEqual(['certificate-expired', 'certificate-expiring']);
    expect(warnings[0]!.message).toMatch(
      /1 backed-up certificate\(s\) have expired: pki\/etcd\/peer\.crt; renew/,
    );
    expect(warnings[1]!.message).toMatch(/expire within 30 days: pki\/etcd\/server\.crt \(14d\)/);
  });

  it('is quiet when all are fine, and finds nothing in a missing folder', async () => {
    const reports = await scanCertificates(tree, issued);
    expect(
      certificateWarnings(
        reports.filter(
          (r) =>
            r.state !== 'unreadable' && r.path !== 'pki/etcd/peer.crt' && r.path !== 'pki/etcd/server.crt',
        ),
      ),
    ).toEqual([]);
    expect(await scanCertificates(join(scratch, 'nope'), issued)).toEqual([]);
  });
});

describe('versions', () => {
  it.each([
    ['3.6.16', '3.6'],
    ['v3.5.15', '3.5'],
    ['3.5.15-0', '3.5'],
    ['3.4', '3.4'],
    ['latest', undefined],
  ])('majorMinor(%s) = %s', (v, mm) => {
    expect(majorMinor(v)).toBe(mm);
  });

  it('reads the etcd version from an image tag', () => {
    expect(versionFromImage('registry.k8s.io/etcd:3.5.15-0')).toBe('3.5.15');
    expect(versionFromImage('localhost:5000/etcd:v3.6.4')).toBe('3.6.4');
    expect(versionFromImage('registry.k8s.io/etcd@sha256:abc')).toBeUndefined();
    expect(versionFromImage(undefined)).toBeUndefined();
  });

  it('warns when etcdutl and the snapshot differ in major.minor only', () => {
    expect(etcdutlWarning('3.6.16', '3.6.4')).toBeUndefined();
    expect(etcdutlWarning('3.5.35', '3.6.16')?.message).toMatch(
      /etcdutl is 3\.5\.35 but the snapshot comes from etcd 3\.6\.16: restore with etcdutl 3\.6\.x/,
    );
  });

  it('probes an etcdutl for its version', async () => {
    const fake = join(scratch, 'etcdutl');
    await writeFile(fake, '#!/bin/sh\necho "etcdutl version: 3.5.35"\necho "API version: 3.5"\n');
    await chmod(fake, 0o755);
    expect(await probeEtcdutl(fake)).toBe('3.5.35');
    const liar = join(scratch, 'not-etcdutl');
    await writeFile(liar, '#!/bin/sh\necho hello\n');
    await chmod(liar, 0o755);
    await expect(probeEtcdutl(liar)).rejects.toThrow(/no "etcdutl version:" line/);
    await expect(probeEtcdutl(join(scratch, 'missing'))).rejects.toThrow(/cannot run/);
  });
});

describe('backup age', () => {
  const now = new Date('2026-11-22T14:30:00Z');
  it('warns past the limit, with the age in words', () => {
    expect(backupAgeWarning('2026-11-22T02:30:00Z', now, day)).toBeUndefined();
    expect(backupAgeWarning('2026-11-19T10:00:00Z', now, day)?.message).toMatch(
      /the backup is 3d 4h old \(more than 1d 0h\): every change since 2026-11-19T10:00:00Z is lost/,
    );
    expect(backupAgeWarning(undefined, now, day)?.code).toBe('backup-age-unknown');
  });

  it('says durations as people read them', () => {
    expect(humanDuration(42 * 60_000)).toBe('42m');
    expect(humanDuration(5 * 3_600_000 + 12 * 60_000)).toBe('5h 12m');
  });
});
