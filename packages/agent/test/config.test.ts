import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupFields, envName } from '../src/config/fields.ts';
import { loadSettings } from '../src/config/load.ts';

describe('settings from flags, LIFEBOAT_* and a YAML file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('takes flags over env over file, and reads sections', async () => {
    const path = await file(
      'ok.yaml',
      'store: file:///from-file\ncluster: filecluster\nrecipient: [/keys/a.asc, /keys/b.asc]\nretention:\n  keep-daily: 7\n  keep-last: 3\n',
    );
    const settings = await loadSettings(backupFields, {
      flags: { store: 'file:///from-flag' },
      env: { [envName('cluster')]: 'envcluster', [envName('keep-last')]: '5' },
      file: path,
    });
    expect(settings['store']).toBe('file:///from-flag');
    expect(settings['cluster']).toBe('envcluster');
    expect(settings['keep-last']).toBe(5);
    expect(settings['keep-daily']).toBe(7);
    expect(settings['recipient']).toEqual(['/keys/a.asc', '/keys/b.asc']);
    expect(settings['node']).toBeUndefined();
  });

  it('splits comma lists from flags and env', async () => {
    const s = await loadSettings(backupFields, { flags: { recipient: ['/a.asc,/b.asc', '/c'] }, env: {} });
    expect(s['recipient']).toEqual(['/a.asc', '/b.asc', '/c']);
  });

  it.each([
    ['flag', { flags: { 'keep-daily': 'seven' }, env: {} }, /--keep-daily must be a whole number/],
    ['env', { flags: {}, env: { LIFEBOAT_KEEP_DAILY: '-1' } }, /LIFEBOAT_KEEP_DAILY must be a whole number/],
    ['duration', { flags: { 'incomplete-grace': '1 day' }, env: {} }, /must be a duration/],
  ])('names the field and its source for a bad %s value', async (_what, sources, reason) => {
    await expect(loadSettings(backupFields, sources)).rejects.toThrow(reason);
  });

  it('refuses unknown keys and broken YAML in the file, naming the file', async () => {
    const unknown = await file('unknown.yaml', 'retention:\n  keep-dialy: 7\n');
    await expect(loadSettings(backupFields, { flags: {}, env: {}, file: unknown })).rejects.toThrow(
      /unknown.yaml: unknown setting "retention.keep-dialy"/,
    );
    const broken = await file('broken.yaml', 'store: [\n');
    await expect(loadSettings(backupFields, { flags: {}, env: {}, file: broken })).rejects.toThrow(
      /broken.yaml: not valid YAML/,
    );
    await expect(
      loadSettings(backupFields, { flags: {}, env: {}, file: join(dir, 'missing.yaml') }),
    ).rejects.toThrow(/cannot read config file .*missing.yaml: ENOENT/);
  });
});
