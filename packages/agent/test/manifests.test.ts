import { spawnSync } from 'node:child_process';
import { chown, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../src/index.ts';
import { cronJob, cronJobName, manifestDefaults, renderManifests } from '../src/operations/manifests.ts';
import { memoryIo } from './helpers.ts';

const manifests = join(import.meta.dirname, '../../../manifests');

describe('lifeboat manifests', () => {
  it('the committed base CronJob is the generator output for the placeholder node', async () => {
    const docs = parseAllDocuments(await readFile(join(manifests, 'base/cronjobs.yaml'), 'utf8')).map((d) =>
      d.toJS(),
    );
    expect(docs).toEqual([cronJob(manifestDefaults.placeholderNode)]);
  });

  it('prints one pinned CronJob per node', async () => {
    const io = memoryIo();
    const code = await runCli(['manifests', '--nodes', 'cp-1,cp-2', '--nodes', 'cp-3', '--store', 's3'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const docs = parseAllDocuments(io.out()).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(['lifeboat-cp-1', 'lifeboat-cp-2', 'lifeboat-cp-3']);
    const pod = docs[1].spec.jobTemplate.spec.template.spec;
    expect(pod.nodeSelector).toEqual({
      'kubernetes.io/hostname': 'cp-2',
      'node-role.kubernetes.io/control-plane': '',
    });
    expect(pod.hostNetwork).toBe(true);
    expect(pod.containers[0].envFrom).toEqual([{ secretRef: { name: 'lifeboat-s3-credentials' } }]);
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.volumes[0]).toEqual({
      name: 'kubernetes',
      hostPath: { path: '/etc/kubernetes', type: 'Directory' },
    });
    expect(docs[0].spec.concurrencyPolicy).toBe('Forbid');
    expect(docs[0].spec.schedule).toBe('0 */6 * * *');
  });

  it('refuses invalid node names, duplicates, schedules and stores', async () => {
    for (const argv of [
      ['--nodes', 'CP_1'],
      ['--nodes', 'cp-1,cp-1'],
      ['--nodes', '-cp'],
      ['--nodes', 'a'.repeat(64)],
      ['--nodes', 'cp-1', '--schedule', 'every hour'],
      ['--nodes', 'cp-1', '--store', 'gcs'],
      [],
    ]) {
      const io = memoryIo();
      expect(await runCli(['manifests', ...argv], io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(/^lifeboat: /);
    }
  });

  it('keeps CronJob names within 52 characters', () => {
    const long = `${'node-'.repeat(12)}x`;
    expect(cronJobName(long).length).toBeLessThanOrEqual(52);
    expect(cronJobName(long)).not.toBe(cronJobName(`${long}y`));
    expect(renderManifests({ nodes: [long] })).toContain(`kubernetes.io/hostname: ${long}`);
  });
});

// The pods run as uid 0 with every capability dropped: reading root-owned 0600
// files (the kubeadm keys) needs no capability, since the owner bits apply.
describe.runIf(process.getuid?.() === 0 && spawnSync('setpriv', ['--help']).status === 0)(
  'uid 0 without capabilities',
  () => {
    it('reads a root-owned 0600 file but not one owned by another user', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'lifeboat-caps-'));
      const own = join(dir, 'root.key');
      const other = join(dir, 'other.key');
      await writeFile(own, 'root key\n', { mode: 0o600 });
      await writeFile(other, 'other key\n', { mode: 0o600 });
      await chown(other, 1000, 1000);
      const noCaps = (file: string) =>
        spawnSync(
          'setpriv',
          ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', 'cat', file],
          { encoding: 'utf8' },
        );
      expect(noCaps(own).stdout).toBe('root key\n');
      // Proves the capabilities really are gone: with CAP_DAC_OVERRIDE this would succeed.
      expect(noCaps(other).status).not.toBe(0);
      expect(spawnSync('cat', [other], { encoding: 'utf8' }).stdout).toBe('other key\n');
    });
  },
);
