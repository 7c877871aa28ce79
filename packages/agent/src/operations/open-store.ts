// From settings to a store: the URL says where, the environment and a few
// settings say how (credentials stay in the environment — a mounted Secret —
// and are never echoed).
import { readFile } from 'node:fs/promises';
import { LifeboatError, parseDuration, parseStoreUrl } from '@lifeboat/core';
import { type BackupStore, type OpenStoreOptions, openStore } from '@lifeboat/stores';
import type { Settings } from '../config/load.ts';

export async function storeFromSettings(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BackupStore> {
  const url = settings['store'];
  if (typeof url !== 'string') {
    throw new LifeboatError(
      'usage',
      'no store: pass --store URL (or LIFEBOAT_STORE, or store: in the config file)',
    );
  }
  const location = parseStoreUrl(url);
  const options: OpenStoreOptions = { env: { ...env } };
  if (location.kind === 's3') {
    const s3: NonNullable<OpenStoreOptions['s3']> = {};
    const sse = settings['sse'];
    if (sse !== undefined) {
      if (sse !== 'AES256' && sse !== 'aws:kms')
        throw new LifeboatError('usage', `--sse ${sse}: use AES256 or aws:kms`);
      s3.sse = sse;
    }
    if (typeof settings['sse-kms-key-id'] === 'string') s3.kmsKeyId = settings['sse-kms-key-id'];
    if (typeof settings['storage-class'] === 'string') s3.storageClass = settings['storage-class'];
    if (typeof settings['part-size'] === 'number') s3.partSize = settings['part-size'] * 1024 * 1024;
    const mode = settings['object-lock-mode'];
    const retain = settings['object-lock-retain'];
    if (mode !== undefined || retain !== undefined) {
      if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
        throw new LifeboatError(
          'usage',
          '--object-lock-mode must be GOVERNANCE or COMPLIANCE when Object Lock is used',
        );
      }
      if (typeof retain !== 'string')
        throw new LifeboatError('usage', '--object-lock-mode needs --object-lock-retain, e.g. 720h');
      s3.objectLock = { mode, retain: parseDuration(retain, '--object-lock-retain') };
    }
    options.s3 = s3;
  }
  if (location.kind === 'restic') {
    const file = settings['restic-password-file'];
    if (typeof file === 'string') {
      const password = (
        await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new LifeboatError(
            'config',
            `cannot read --restic-password-file ${file}: ${err.code ?? err.message}`,
          );
        })
      ).replace(/\r?\n$/, '');
      options.restic = { password };
    }
  }
  return openStore(location, options);
}
