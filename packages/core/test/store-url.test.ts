import { describe, expect, it } from 'vitest';
import { formatStoreUrl, parseStoreUrl } from '../src/index.ts';

describe('store URLs', () => {
  it('parse s3 with endpoint, region and path style', () => {
    const url = 's3://backups/prod/etcd?endpoint=http://127.0.0.1:9000&region=eu-1&pathStyle=true';
    expect(parseStoreUrl(url)).toEqual({
      kind: 's3',
      bucket: 'backups',
      prefix: 'prod/etcd',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-1',
      pathStyle: true,
    });
    expect(parseStoreUrl(formatStoreUrl(parseStoreUrl(url)))).toEqual(parseStoreUrl(url));
  });

  it('parse restic repositories verbatim', () => {
    expect(parseStoreUrl('restic:s3:https://host/bucket')).toEqual({
      kind: 'restic',
      repository: 's3:https://host/bucket',
    });
    expect(parseStoreUrl('restic:/srv/restic')).toEqual({ kind: 'restic', repository: '/srv/restic' });
  });

  it('parse file URLs into absolute paths', () => {
    expect(parseStoreUrl('file:///var/backups/lifeboat/')).toEqual({
      kind: 'file',
      path: '/var/backups/lifeboat',
    });
    expect(parseStoreUrl('file:///')).toEqual({ kind: 'file', path: '/' });
  });

  it.each([
    ['/var/backups', /not a URL/],
    ['ftp://host/x', /unsupported scheme "ftp:"/],
    ['s3://Bad_Bucket/x', /invalid bucket name/],
    ['s3://bucket?endpoint=minio:9000', /neither http nor https|not a URL/],
    ['s3://bucket?pathstyle=true', /unknown option "pathstyle"/],
    ['s3://bucket?pathStyle=yes', /use true or false/],
    ['restic:', /names no restic repository/],
    ['file:///x?y=1', /query/],
  ])('refuse %s with a reason', (url, reason) => {
    expect(() => parseStoreUrl(url)).toThrow(reason);
  });
});
