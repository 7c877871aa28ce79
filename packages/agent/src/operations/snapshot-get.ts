// `lifeboat snapshot get`: one key of a snapshot file at its latest revision,
// as an apply-ready manifest (yaml, json) or the exact stored bytes (raw).
// The same functions serve the CLI and the extension's "export this object".
import { isLifeboatError, LifeboatError } from '@lifeboat/core';
import {
  type ApplyOptions,
  copyKeyValue,
  type ExportFormat,
  exportValue,
  type KeyValue,
  liveKeys,
} from '@lifeboat/etcd';
import { keyText, readSnapshot, type SnapshotReadOptions } from './snapshot-ls.ts';

/** The live KeyValue at exactly `key`; a not-found error when the key is absent or deleted. */
export async function getSnapshotKey(
  file: string,
  key: string,
  options: SnapshotReadOptions = {},
): Promise<KeyValue> {
  const wanted = Buffer.from(key);
  let found: KeyValue | undefined;
  // The `key` bucket is ordered by revision, not key: a scan, in which only keys with this prefix take memory.
  const matches = readSnapshot(file, options, (db, signal) =>
    liveKeys(db, { prefix: wanted, copy: false, signal }),
  );
  // Read to the end, not just to the match: the end is where the trailer check is awaited.
  for await (const kv of matches) if (kv.key.equals(wanted)) found = copyKeyValue(kv);
  if (!found) throw notFound(file, key);
  return found;
}

function notFound(file: string, key: string): LifeboatError {
  // The folder the key would be in; keys kube-apiserver writes start with /registry/ by default.
  const slash = key.startsWith('/') ? key.lastIndexOf('/', key.length - 2) : -1;
  const parent = slash > 0 ? key.slice(0, slash + 1) : '/registry/';
  return new LifeboatError(
    'not-found',
    `no live key ${JSON.stringify(key)} in ${file} (never written, or deleted before the snapshot); list the keys with "lifeboat snapshot ls ${file} --prefix ${parent}"`,
  );
}

export interface GetObjectOptions extends SnapshotReadOptions, ApplyOptions {}

export interface SnapshotObject {
  kv: KeyValue;
  /** yaml/json: the manifest text; raw: the stored bytes. */
  output: string | Uint8Array;
}

/**
 * The object at `key` in the chosen format. yaml/json fail for values that
 * are encrypted at rest ('crypto') or are not Kubernetes objects ('usage'),
 * naming the key; raw always works.
 */
export async function getSnapshotObject(
  file: string,
  key: string,
  format: ExportFormat,
  options: GetObjectOptions = {},
): Promise<SnapshotObject> {
  const kv = await getSnapshotKey(file, key, options);
  const apply: ApplyOptions = options.keepOwnerReferences ? { keepOwnerReferences: true } : {};
  try {
    return { kv, output: exportValue(kv.value, format, apply) };
  } catch (err) {
    if (!isLifeboatError(err)) throw err;
    throw new LifeboatError(err.code, `${keyText(kv.key)}: ${err.message}`, { cause: err });
  }
}
