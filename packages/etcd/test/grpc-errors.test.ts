// Error mapping, endpoint parsing and TLS file checks. The gRPC failure texts
// below are what grpc-js 1.14 reported against real etcd 3.4/3.6 members
// (recorded while writing test/e2e/snapshot-save.test.ts, which checks the
// same mapping live).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { parseEndpoint, parseEndpoints } from '../src/grpc/endpoints.ts';
import { classifyFailure, type FailureContext, lastError } from '../src/grpc/errors.ts';
import { loadTls } from '../src/grpc/tls.ts';

const tlsEndpoint = parseEndpoint('https://127.0.0.1:2379', true);
const plainEndpoint = parseEndpoint('http://127.0.0.1:2379', false);
const ctx: FailureContext = {
  endpoint: tlsEndpoint,
  phase: 'connect',
  cacert: '/etc/kubernetes/pki/etcd/ca.crt',
  cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
  dialTimeoutMs: 5000,
};
const noCert: FailureContext = { endpoint: tlsEndpoint, phase: 'connect', cacert: ctx.cacert! };

const recorded = {
  certificateRequired:
    'No connection established. Last error: 400DC32AF97F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n (2026-11-21T15:03:00.054Z). Resolution note: ',
  badCertificate:
    'No connection established. Last error: 409D62D6377F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 42\n (2026-11-21T15:03:23.752Z). Resolution note: ',
  wrongCa:
    'No connection established. Last error: Error: unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca. Resolution note: ',
  refused:
    'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
  unresolved: 'Name resolution failed for target dns:nonexistent.invalid:2379',
  altname:
    "No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: 127.0.0.9 is not in the cert's list: 127.0.0.1, ::1. Resolution note: ",
  notTls:
    'No connection established. Last error: Error: 40FDE52B487F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:\n. Resolution note: ',
  plainToTls:
    'No connection established. Last error: Failed to connect (2026-11-21T15:03:26.993Z). Resolution note: ',
};

describe('lastError', () => {
  it.each([
    [recorded.certificateRequired, 'tlsv13 alert certificate required'],
    [recorded.badCertificate, 'ssl/tls alert bad certificate'],
    [recorded.wrongCa, 'unable to verify the first certificate'],
    [recorded.refused, 'connect ECONNREFUSED 127.0.0.1:1'],
    [recorded.notTls, 'wrong version number'],
    [recorded.plainToTls, 'Failed to connect'],
    ['etcdserver: mvcc: database space exceeded', 'etcdserver: mvcc: database space exceeded'],
  ])('keeps the part a person can read of %j', (details, expected) => {
    expect(lastError(details)).toBe(expected);
  });
});

describe('classifyFailure', () => {
  const unavailable = (details: string) => ({ code: 14, details });

  it.each([
    [
      'wrong CA',
      unavailable(recorded.wrongCa),
      ctx,
      'untrusted-server',
      /^the CA file \/etc\/kubernetes\/pki\/etcd\/ca\.crt \(--cacert\) does not sign the server certificate of etcd at https:\/\/127\.0\.0\.1:2379 \(unable to verify the first certificate\)/,
    ],
    [
      'no CA and an unknown issuer',
      unavailable(recorded.wrongCa),
      { ...ctx, cacert: undefined },
      'untrusted-server',
      /not signed by a CA this machine trusts.*pass etcd's CA with --cacert/,
    ],
    [
      'TLS 1.3 "certificate required"',
      unavailable(recorded.certificateRequired),
      noCert,
      'client-cert-missing',
      /^etcd at https:\/\/127\.0\.0\.1:2379 requires a client certificate \(tlsv13 alert certificate required\); pass --cert and --key with one kubeadm issued, e\.g\. \/etc\/kubernetes\/pki\/etcd\/healthcheck-client\.crt and \.key$/,
    ],
    [
      'TLS 1.2 "bad certificate" without a cert',
      unavailable(recorded.badCertificate),
      noCert,
      'client-cert-missing',
      /requires a client certificate/,
    ],
    [
      'TLS 1.2 "bad certificate" with a cert',
      unavailable(recorded.badCertificate),
      ctx,
      'client-cert-refused',
      /refused the client certificate \/etc\/kubernetes\/pki\/etcd\/healthcheck-client\.crt .*issued by etcd's CA/,
    ],
    [
      'connection refused',
      unavailable(recorded.refused),
      ctx,
      'refused',
      /^cannot connect to etcd at https:\/\/127\.0\.0\.1:2379: connection refused; check --endpoints/,
    ],
    [
      'unknown host',
      unavailable(recorded.unresolved),
      ctx,
      'unresolved',
      /cannot resolve the host of https:\/\/127\.0\.0\.1:2379/,
    ],
    [
      'certificate for another address',
      unavailable(recorded.altname),
      ctx,
      'wrong-host',
      /is not valid for 127\.0\.0\.1 \(Hostname\/IP does not match/,
    ],
    [
      'https:// to a plain listener',
      unavailable(recorded.notTls),
      ctx,
      'not-tls',
      /does not speak TLS .*http:\/\/127\.0\.0\.1:2379/,
    ],
    [
      'http:// to a TLS listener',
      unavailable(recorded.plainToTls),
      { ...ctx, endpoint: plainEndpoint },
      'not-plaintext',
      /cannot talk plain HTTP\/2 to http:\/\/127\.0\.0\.1:2379.*write https:\/\/127\.0\.0\.1:2379/,
    ],
    [
      'dial timeout',
      { code: 4, details: 'Deadline exceeded after 5.001s' },
      ctx,
      'timeout',
      /did not answer within 5s \(--dial-timeout\)/,
    ],
    [
      'wrong password',
      { code: 3, details: 'etcdserver: authentication failed, invalid user ID or password' },
      { ...ctx, phase: 'authenticate', user: 'root' },
      'auth',
      /rejected the user "root": wrong user name or password/,
    ],
    [
      'auth enabled, no user',
      { code: 3, details: 'etcdserver: user name is empty' },
      ctx,
      'auth-required',
      /has authentication enabled .*pass --user and --password-file/,
    ],
    [
      'not root',
      { code: 7, details: 'etcdserver: permission denied' },
      { ...ctx, phase: 'stream', user: 'alice', received: 0 },
      'permission',
      /denied the snapshot to user "alice" .*root role/,
    ],
  ] as const)('%s', (_name, failure, context, kind, message) => {
    const c = classifyFailure(failure, context as FailureContext);
    expect(c.kind).toBe(kind);
    expect(isLifeboatError(c.error, 'etcd')).toBe(true);
    expect(c.error.message).toMatch(message);
    expect(c.error.message).not.toMatch(/\n/);
  });

  it('fails over for unreachable members only, and mid-stream never', () => {
    expect(classifyFailure(unavailable(recorded.refused), ctx).tryNext).toBe(true);
    expect(classifyFailure(unavailable(recorded.wrongCa), ctx).tryNext).toBe(true);
    expect(
      classifyFailure(
        { code: 3, details: 'etcdserver: authentication failed, invalid user ID or password' },
        ctx,
      ).tryNext,
    ).toBe(false);
    const stream = { ...ctx, phase: 'stream' as const };
    const dropped = unavailable('Connection dropped');
    expect(classifyFailure(dropped, { ...stream, received: 0 }).tryNext).toBe(true);
    const mid = classifyFailure(dropped, { ...stream, received: 3 * 1024 * 1024, total: 8 * 1024 * 1024 });
    expect(mid.tryNext).toBe(false);
    expect(mid.kind).toBe('lost');
    expect(mid.error.message).toMatch(
      /lost the connection to etcd at https:\/\/127\.0\.0\.1:2379 during the snapshot after 3\.0 MiB of 8\.0 MiB \(Connection dropped\)/,
    );
  });
});

describe('endpoints', () => {
  it.each([
    ['https://10.0.0.1:2379', false, { url: 'https://10.0.0.1:2379', target: '10.0.0.1:2379', tls: true }],
    ['http://127.0.0.1:2379', true, { url: 'http://127.0.0.1:2379', target: '127.0.0.1:2379', tls: false }],
    ['127.0.0.1:2379', true, { url: 'https://127.0.0.1:2379', target: '127.0.0.1:2379', tls: true }],
    ['127.0.0.1:2379', false, { url: 'http://127.0.0.1:2379', target: '127.0.0.1:2379', tls: false }],
    ['https://[::1]:2379', false, { url: 'https://[::1]:2379', target: '[::1]:2379', tls: true }],
    [
      'https://etcd.example:443',
      false,
      { url: 'https://etcd.example:443', target: 'etcd.example:443', tls: true },
    ],
  ])('%s (TLS by default: %s)', (raw, tls, expected) => {
    expect(parseEndpoint(raw, tls)).toEqual(expected);
  });

  it('splits comma and space separated lists', () => {
    expect(parseEndpoints(['https://a:1, https://b:2', 'https://c:3'], true).map((e) => e.url)).toEqual([
      'https://a:1',
      'https://b:2',
      'https://c:3',
    ]);
  });

  it.each([
    ['https://127.0.0.1', /has no port/],
    ['unix:///run/etcd.sock', /uses unix:\/\/; use https:\/\/ or http:\/\//],
    ['https://127.0.0.1:2379/v3', /without a path/],
    ['not a url:x', /is not a URL or host:port/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseEndpoint(raw, true)).toThrow(message);
  });

  it('refuses an empty list', () => {
    expect(() => parseEndpoints([' , '], true)).toThrow(/no etcd endpoint given/);
  });
});

// A throwaway self-signed certificate (public data only); keys are generated per run.
const cert = `-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUQWTr2MbT1kkzFhFIAXzt2tCYnp8wCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNbGlmZWJvYXQtdGVzdDAgFw0yNjExMjExNTA2MDBaGA8yMTI2
MTAyODE1MDYwMFowGDEWMBQGA1UEAwwNbGlmZWJvYXQtdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABHUsDN5/WCevwWNDdagN3004qNMWMT/b10NmXvtK2b1s
xc2uCn/Ks+rSVHbsWxNeA2UE43/r8dBmkttD7YLM8EmjUzBRMB0GA1UdDgQWBBSY
JAfyplvjXCF1lXH4TJLlzCPcQzAfBgNVHSMEGDAWgBSYJAfyplvjXCF1lXH4TJLl
zCPcQzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIAViVBQKdS/u
RVx/d69YnKpEuaGVdB2qg95FYQjCPW/xAiEAneS5D9PV0Aa5p/CDoBNYjpxSfIIG
zHWqMoey7MnARE8=
-----END CERTIFICATE-----
`;

describe('TLS files', () => {
  async function files(): Promise<{ dir: string; cert: string; otherKey: string; junk: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-tls-'));
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await writeFile(join(dir, 'client.crt'), cert);
    await writeFile(join(dir, 'other.key'), otherKey);
    await writeFile(join(dir, 'junk.crt'), 'not a certificate\n');
    return {
      dir,
      cert: join(dir, 'client.crt'),
      otherKey: join(dir, 'other.key'),
      junk: join(dir, 'junk.crt'),
    };
  }

  it('reads a CA', async () => {
    const f = await files();
    const tls = await loadTls({ cacert: f.cert });
    expect(tls.ca?.toString()).toBe(cert);
  });

  it('names a missing file and the flag it came from', async () => {
    await expect(loadTls({ cacert: '/nonexistent/ca.crt' })).rejects.toThrow(
      '--cacert /nonexistent/ca.crt does not exist',
    );
  });

  it('refuses a CA that is not PEM', async () => {
    const f = await files();
    await expect(loadTls({ cacert: f.junk })).rejects.toThrow(`--cacert ${f.junk} is not a PEM certificate`);
  });

  it('says when the key does not belong to the certificate', async () => {
    const f = await files();
    await expect(loadTls({ cert: f.cert, key: f.otherKey })).rejects.toThrow(
      `--key ${f.otherKey} is not the key of --cert ${f.cert}`,
    );
  });

  it('wants --cert and --key together', async () => {
    const f = await files();
    await expect(loadTls({ cert: f.cert })).rejects.toThrow('--cert and --key go together');
  });
});
