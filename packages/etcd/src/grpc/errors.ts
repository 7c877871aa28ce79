// Turns what grpc-js reports into one line a user can act on. grpc-js folds
// every connection failure into UNAVAILABLE with the last socket or TLS error
// in the details ("No connection established. Last error: ..."), so the kind
// of failure is read from that text: a wrong CA, a missing or refused client
// certificate, a refused connection and a dead member each read differently.
import { LifeboatError } from '@lifeboat/core';
import type { Endpoint } from './endpoints.ts';

/** gRPC status codes we tell apart (grpc-js exports them as an enum). */
export const GrpcCode = {
  ok: 0,
  cancelled: 1,
  unknown: 2,
  invalidArgument: 3,
  deadlineExceeded: 4,
  failedPrecondition: 9,
  permissionDenied: 7,
  unauthenticated: 16,
  unavailable: 14,
  internal: 13,
} as const;

/** The shape of grpc-js's ServiceError that matters here. */
export interface GrpcFailure {
  code: number;
  details: string;
  message?: string;
}

export type FailureKind =
  | 'untrusted-server' // the CA does not sign etcd's certificate
  | 'wrong-host' // the certificate does not name the address dialled
  | 'client-cert-missing'
  | 'client-cert-refused'
  | 'not-tls' // https:// to a plain HTTP/2 listener
  | 'not-plaintext' // http:// to a TLS listener
  | 'refused'
  | 'unresolved'
  | 'timeout'
  | 'unreachable' // any other connection failure
  | 'auth' // wrong user or password
  | 'auth-required'
  | 'permission'
  | 'lost' // the connection broke during a call
  | 'server'; // etcd answered with an error

export interface FailureContext {
  endpoint: Endpoint;
  /** What was being done, for the message: "connecting", "authenticating", "the snapshot". */
  phase: 'connect' | 'authenticate' | 'stream';
  cacert?: string;
  cert?: string;
  user?: string;
  dialTimeoutMs?: number;
  /** For failures during the snapshot stream: bytes received and expected. */
  received?: number;
  total?: number;
}

export interface ClassifiedFailure {
  kind: FailureKind;
  /** True when another endpoint might work: the member could not be reached at all. */
  tryNext: boolean;
  error: LifeboatError;
}

const connectionKinds: readonly FailureKind[] = [
  'untrusted-server',
  'wrong-host',
  'client-cert-missing',
  'client-cert-refused',
  'not-tls',
  'not-plaintext',
  'refused',
  'unresolved',
  'timeout',
  'unreachable',
];

/** The interesting part of grpc-js's "No connection established. Last error: X. Resolution note: " text. */
export function lastError(details: string): string {
  const m =
    /Last error: (?:Error(?: \[\w+\])?: )?([\s\S]*?)(?:\s*\(\d{4}-\d\d-\d\dT[^)]*\))?\.?\s*(?:Resolution note:.*)?$/.exec(
      details,
    );
  const text = (m ? m[1]! : details).replace(/\s+/g, ' ').trim();
  // OpenSSL prefixes "40FD...:error:0A000412:SSL routines:fn:" and suffixes the source file.
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(text);
  return ssl ? ssl[1]!.trim() : text.replace(/; if the root CA is installed locally.*$/, '');
}

function kindOf(f: GrpcFailure, ctx: FailureContext): FailureKind {
  const d = f.details;
  if (f.code === GrpcCode.unavailable) {
    if (
      /unable to verify the first certificate|self[- ]signed certificate|unable to get (local )?issuer certificate|certificate signature failure|CERT_UNTRUSTED|certificate has expired/i.test(
        d,
      )
    ) {
      return 'untrusted-server';
    }
    if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i.test(d)) return 'wrong-host';
    // TLS 1.3 servers say "certificate required" when none was sent; TLS 1.2
    // servers (etcd 3.4) say "bad certificate" for a missing and a refused one.
    if (/alert certificate required/i.test(d)) return 'client-cert-missing';
    if (
      /alert (bad certificate|unknown ca|certificate unknown|unsupported certificate|certificate expired|access denied)/i.test(
        d,
      )
    ) {
      return ctx.cert ? 'client-cert-refused' : 'client-cert-missing';
    }
    if (/wrong version number|packet length too long|unknown protocol/i.test(d)) return 'not-tls';
    if (/ECONNREFUSED/.test(d)) return 'refused';
    if (/Name resolution failed|ENOTFOUND|EAI_AGAIN/.test(d)) return 'unresolved';
    if (ctx.phase === 'stream') return 'lost';
    // A TLS listener hangs up on a plain HTTP/2 preface; grpc-js only says it failed.
    if (!ctx.endpoint.tls && /Failed to connect|Connection dropped|ECONNRESET/i.test(d))
      return 'not-plaintext';
    return 'unreachable';
  }
  if (f.code === GrpcCode.deadlineExceeded) return ctx.phase === 'stream' ? 'server' : 'timeout';
  if (/authentication failed|invalid user ID or password/i.test(d)) return 'auth';
  if (
    /user name is empty|user name not found|invalid auth token/i.test(d) ||
    f.code === GrpcCode.unauthenticated
  ) {
    return 'auth-required';
  }
  if (f.code === GrpcCode.permissionDenied) return 'permission';
  if (
    ctx.phase === 'stream' &&
    (f.code === GrpcCode.internal || f.code === GrpcCode.unknown) &&
    /RST_STREAM|Received RST|stream removed|protocol error/i.test(d)
  ) {
    return 'lost';
  }
  return 'server';
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function progress(ctx: FailureContext): string {
  if (ctx.received === undefined) return '';
  if (ctx.received === 0 && ctx.total === undefined) return ' before its first byte';
  return ctx.total === undefined
    ? ` after ${size(ctx.received)}`
    : ` after ${size(ctx.received)} of ${size(ctx.total)}`;
}

const kubeadmCert = '/etc/kubernetes/pki/etcd/healthcheck-client.crt and .key';

function message(kind: FailureKind, f: GrpcFailure, ctx: FailureContext): string {
  const ep = ctx.endpoint.url;
  const why = lastError(f.details);
  const host = new URL(ep).hostname;
  switch (kind) {
    case 'untrusted-server':
      return ctx.cacert
        ? `the CA file ${ctx.cacert} (--cacert) does not sign the server certificate of etcd at ${ep} (${why}); pass etcd's CA, on kubeadm nodes /etc/kubernetes/pki/etcd/ca.crt`
        : `the server certificate of etcd at ${ep} is not signed by a CA this machine trusts (${why}); pass etcd's CA with --cacert, on kubeadm nodes /etc/kubernetes/pki/etcd/ca.crt`;
    case 'wrong-host':
      return `the server certificate of etcd at ${ep} is not valid for ${host} (${why}); connect through an address the certificate names`;
    case 'client-cert-missing':
      return `etcd at ${ep} requires a client certificate (${why}); pass --cert and --key with one kubeadm issued, e.g. ${kubeadmCert}`;
    case 'client-cert-refused':
      return `etcd at ${ep} refused the client certificate ${ctx.cert} (${why}); pass --cert and --key issued by etcd's CA, e.g. ${kubeadmCert}`;
    case 'not-tls':
      return `${ep} does not speak TLS (${why}); if etcd serves plain HTTP there, write the endpoint as http://${ctx.endpoint.target}`;
    case 'not-plaintext':
      return `cannot talk plain HTTP/2 to ${ep} (${why}); if etcd serves TLS there, write https://${ctx.endpoint.target} and pass --cacert, --cert and --key`;
    case 'refused':
      return `cannot connect to etcd at ${ep}: connection refused; check --endpoints and that etcd is running`;
    case 'unresolved':
      return `cannot resolve the host of ${ep}; check --endpoints`;
    case 'timeout':
      return `etcd at ${ep} did not answer within ${(ctx.dialTimeoutMs ?? 5000) / 1000}s (--dial-timeout); check --endpoints, the network and that etcd is healthy`;
    case 'unreachable':
      return `cannot connect to etcd at ${ep}: ${why}`;
    case 'auth':
      return `etcd at ${ep} rejected the user "${ctx.user ?? ''}": wrong user name or password; check --user and --password-file`;
    case 'auth-required':
      return `etcd at ${ep} has authentication enabled and refused the request (${why}); pass --user and --password-file`;
    case 'permission':
      return `etcd at ${ep} denied ${ctx.phase === 'stream' ? 'the snapshot' : 'the request'} to ${ctx.user ? `user "${ctx.user}"` : 'this client'} (${why}); snapshots need a user with the root role`;
    case 'lost':
      return `lost the connection to etcd at ${ep} during the snapshot${progress(ctx)} (${why}); etcd may have stopped or restarted: retry when it is healthy`;
    case 'server':
      return ctx.phase === 'stream'
        ? `etcd at ${ep} failed the snapshot${progress(ctx)}: ${why}`
        : `etcd at ${ep} failed the request while ${ctx.phase === 'connect' ? 'reading its status' : 'authenticating'}: ${why}`;
  }
}

export function classifyFailure(f: GrpcFailure, ctx: FailureContext): ClassifiedFailure {
  const kind = kindOf(f, ctx);
  // A member that cannot be reached, or drops a snapshot before its first byte, may be
  // the only one down: the next endpoint is worth a try. Anything later is final.
  const tryNext =
    ctx.phase === 'stream'
      ? (ctx.received ?? 0) === 0 && f.code === GrpcCode.unavailable
      : connectionKinds.includes(kind);
  return {
    kind,
    tryNext,
    error: new LifeboatError('etcd', message(kind, f, ctx), { cause: f }),
  };
}

/** Whether a thrown value looks like grpc-js's ServiceError. */
export function isGrpcFailure(err: unknown): err is GrpcFailure {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as GrpcFailure).code === 'number' &&
    typeof (err as GrpcFailure).details === 'string'
  );
}
