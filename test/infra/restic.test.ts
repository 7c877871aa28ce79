import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResticRepo, type ResticRepo, resticFlavors } from './restic.ts';

describe.each(resticFlavors)('restic (%s)', (flavor) => {
  let repo: ResticRepo;
  beforeAll(async () => {
    repo = await createResticRepo(flavor);
  });
  afterAll(() => repo?.remove());

  it('is the version the infra promises', async () => {
    const version = await repo.version();
    expect(version).toMatch(flavor === 'current' ? /^0\.19\./ : /^0\.14\./);
  });

  it('backs up from stdin with host and tags, lists and restores it', async () => {
    const payload = Buffer.from(`snapshot bytes ${Math.random()}`);
    await repo.restic(
      ['backup', '--stdin', '--stdin-filename', 'x.tar.zst.pgp', '--host', 'cp-1', '--tag', 'lifeboat'],
      payload,
    );
    const snapshots = JSON.parse(await repo.restic(['snapshots', '--json', '--host', 'cp-1']));
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0].tags).toEqual(['lifeboat']);
    expect(snapshots[0].hostname).toBe('cp-1');
    const dumped = await repo.restic(['dump', snapshots[0].short_id, 'x.tar.zst.pgp']);
    expect(dumped).toBe(payload.toString());
  });
});
