// etcdutl rewrites the snapshot into a data dir that etcd then opens: the two
// should be the same major.minor, because the data-dir format (storage
// version, WAL and membership records) moves between minor releases.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LifeboatError } from '@lifeboat/core';
import type { PlanWarning } from './warning.ts';

const run = promisify(execFile);

/** "3.6" from "3.6.16", "v3.6.16" or "3.6.16-0" (an image tag); undefined otherwise. */
export function majorMinor(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The etcd version named by an image such as "registry.k8s.io/etcd:3.5.15-0". */
export function versionFromImage(image: string | undefined): string | undefined {
  const tag = image?.match(/:v?(\d+\.\d+\.\d+)[^:/]*$/);
  return tag?.[1];
}

/** Runs `etcdutl version` and returns the version it prints. */
export async function probeEtcdutl(path: string): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await run(path, ['version'], { timeout: 15_000 }));
  } catch (err) {
    throw new LifeboatError('usage', `cannot run ${path} version: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  const m = /etcdutl version:\s*(\S+)/.exec(stdout);
  if (!m)
    throw new LifeboatError('usage', `${path} version printed no "etcdutl version:" line; is it etcdutl?`);
  return m[1]!;
}

export function etcdutlWarning(etcdutlVersion: string, serverVersion: string): PlanWarning | undefined {
  const tool = majorMinor(etcdutlVersion);
  const server = majorMinor(serverVersion);
  if (!tool || !server || tool === server) return undefined;
  return {
    code: 'etcdutl-version',
    message: `etcdutl is ${etcdutlVersion} but the snapshot comes from etcd ${serverVersion}: restore with etcdutl ${server}.x, the version etcd.yaml runs`,
  };
}
