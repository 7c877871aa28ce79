import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEtcdManifest } from '@lifeboat/etcd';
import { describe, expect, it } from 'vitest';
import { parseMembers, resolveTopology } from '../src/index.ts';

const fixtures = join(import.meta.dirname, '../../etcd/test/fixtures');
const first = parseEtcdManifest(readFileSync(join(fixtures, 'kubeadm-etcd.yaml'), 'utf8'));
const joined = parseEtcdManifest(readFileSync(join(fixtures, 'kubeadm-etcd-joined.yaml'), 'utf8'));

describe('parseMembers', () => {
  it('reads name=peerURL pairs, spaces around commas allowed', () => {
    expect(parseMembers('cp-1=https://10.0.0.11:2380, cp-2=https://[fd00::12]:2380')).toEqual([
      { name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' },
      { name: 'cp-2', peerUrl: 'https://[fd00::12]:2380' },
    ]);
  });

  it.each([
    ['a;rm -rf /=https://10.0.0.11:2380', /member name "a;rm -rf \/" is invalid/],
    ['$(reboot)=https://10.0.0.11:2380', /member name/],
    ['cp-1=https://10.0.0.11:2380;reboot', /peer URL/],
    ['cp-1=https://10.0.0.11:2380/x', /has a path/],
    ['cp-1', /not name=peerURL/],
    ['=https://10.0.0.11:2380', /not name=peerURL/],
    ['', /names no etcd member/],
    ['cp-1=https://a:2380,cp-1=https://b:2380', /twice/],
    ['cp-1=https://a:2380,cp-2=https://a:2380', /same peer URL/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseMembers(text)).toThrow(reason);
  });
});

describe('resolveTopology', () => {
  it('takes --members over the manifests', () => {
    const members = parseMembers('x=http://127.0.0.1:1');
    expect(resolveTopology([{ manifest: first, source: 'a' }], members)).toEqual({
      members,
      source: '--members',
      notes: [],
    });
  });

  it("reads one manifest's --initial-cluster, with a note that kubeadm's first node lists only itself", () => {
    const t = resolveTopology([{ manifest: first, source: 'cp-1/etcd.yaml' }]);
    expect(t.members).toEqual([{ name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' }]);
    expect(t.notes[0]).toMatch(/first control-plane node lists only itself.*pass --members/);
  });

  it("unites several manifests, each member's own advertised peer URL winning", () => {
    const moved = { ...first, initialAdvertisePeerUrls: ['https://10.0.0.99:2380'] };
    const t = resolveTopology([
      { manifest: joined, source: 'cp-2' },
      { manifest: moved, source: 'cp-1' },
    ]);
    expect(t.members).toEqual([
      { name: 'cp-1', peerUrl: 'https://10.0.0.99:2380' },
      { name: 'cp-2', peerUrl: 'https://10.0.0.12:2380' },
      { name: 'cp-3', peerUrl: 'https://10.0.0.13:2380' },
    ]);
    expect(t.notes).toEqual([]);
    expect(t.source).toBe('cp-2, cp-1');
  });

  it('validates what the manifests say, too', () => {
    const evil = { ...first, name: 'a;b', initialCluster: [{ name: 'a;b', peerUrl: 'https://x:1' }] };
    expect(() => resolveTopology([{ manifest: evil, source: 'x' }])).toThrow(/member name "a;b"/);
  });
});
