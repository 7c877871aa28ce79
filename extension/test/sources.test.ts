import { describe, expect, it } from 'vitest';
import { configuredSources, sourceLabel, storeUrlOf } from '../src/sources/source.ts';

describe('backup sources from settings', () => {
  it('takes store URLs as they are and folders as file:// URLs', () => {
    expect(storeUrlOf('s3://bucket/p?endpoint=http://127.0.0.1:9000&pathStyle=true', '/home/me')).toBe(
      's3://bucket/p?endpoint=http://127.0.0.1:9000&pathStyle=true',
    );
    expect(storeUrlOf('restic:/srv/restic', '/home/me')).toBe('restic:/srv/restic');
    expect(storeUrlOf('/var/backups/lifeboat/', '/home/me')).toBe('file:///var/backups/lifeboat');
    expect(storeUrlOf('~/backups', '/home/me')).toBe('file:///home/me/backups');
    expect(() => storeUrlOf('backups', '/home/me')).toThrow(
      /neither a store URL .* nor an absolute folder path/,
    );
    expect(() => storeUrlOf('s3://', '/home/me')).toThrow(/store URL "s3:\/\/"/);
  });

  it('labels without credentials, and lists each store once', () => {
    expect(sourceLabel('restic:rest:https://backup:s3cret@rest.example/prod')).toBe(
      'restic:rest:https://***@rest.example/prod',
    );
    expect(sourceLabel('s3://bucket/a/b?endpoint=https://minio:9000')).toBe('s3://bucket/a/b');
    const { sources, problems } = configuredSources(['/srv/x', 'file:///srv/x', 'nope'], '/home/me');
    expect(sources.map((s) => s.url)).toEqual(['file:///srv/x']);
    expect(problems).toEqual([expect.stringMatching(/"nope"/)]);
  });
});
