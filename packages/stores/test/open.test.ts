import { parseStoreUrl } from '@lifeboat/core';
import { describe, expect, it } from 'vitest';
import { openStore, ResticStore, S3Store } from '../src/index.ts';

describe('openStore', () => {
  it('opens s3 URLs as an S3 store described by the same URL', () => {
    const url = 's3://backups/lifeboat/prod?endpoint=http%3A%2F%2Fminio%3A9000&region=eu-1&pathStyle=true';
    const store = openStore(parseStoreUrl(url), {
      env: { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'never-shown' },
      s3: {
        sse: 'aws:kms',
        kmsKeyId: 'k1',
        objectLock: { mode: 'COMPLIANCE', retain: '30d' },
        partSize: 16 << 20,
      },
    });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.location).toBe(url);
    expect(store.location).not.toContain('never-shown');
    (store as S3Store).destroy();
  });

  it('opens restic URLs with a password option or from env', () => {
    const store = openStore(parseStoreUrl('restic:s3:https://s3.example.com/bucket'), {
      restic: { password: 'x' },
    });
    expect(store).toBeInstanceOf(ResticStore);
    expect(store.location).toBe('restic:s3:https://s3.example.com/bucket');
    expect(
      openStore(parseStoreUrl('restic:/srv/r'), { env: { RESTIC_PASSWORD_FILE: '/run/pw' } }),
    ).toBeInstanceOf(ResticStore);
  });

  it('refuses inconsistent settings with usage errors', () => {
    const s3 = parseStoreUrl('s3://backups/x');
    expect(() => openStore(s3, { s3: { kmsKeyId: 'k1' } })).toThrow(
      /KMS key id needs server-side encryption aws:kms/,
    );
    expect(() => openStore(s3, { s3: { objectLock: { mode: 'GOVERNANCE', retain: 'forever' } } })).toThrow(
      /Object Lock retention "forever" is not a duration/,
    );
    expect(() => openStore(s3, { s3: { partSize: 1024 } })).toThrow(/≥ 5 MiB/);
  });
});
