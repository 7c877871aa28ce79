import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportOutcome } from '../src/kubernetes/report.ts';
import { parseStatus, statusData, statusNodes } from '../src/kubernetes/status.ts';
import { logger } from '../src/log.ts';
import { escapeLabel, parseMetrics, renderMetrics } from '../src/metrics/prometheus.ts';
import { pushgatewayUrl } from '../src/metrics/pushgateway.ts';
import { memoryIo } from './helpers.ts';

describe('Prometheus text format', () => {
  it('renders HELP, TYPE and one labelled sample per metric', () => {
    const text = renderMetrics({
      cluster: 'prod',
      node: 'cp-1',
      lastSuccessSeconds: 1767225600,
      durationSeconds: 12.5,
      bytes: 1048576,
      failuresTotal: 2,
    });
    expect(text).toBe(
      [
        '# HELP lifeboat_last_success_timestamp_seconds Unix time of the last successful backup.',
        '# TYPE lifeboat_last_success_timestamp_seconds gauge',
        'lifeboat_last_success_timestamp_seconds{cluster="prod",node="cp-1"} 1767225600',
        '# HELP lifeboat_backup_duration_seconds Duration of the last backup run, successful or not, in seconds.',
        '# TYPE lifeboat_backup_duration_seconds gauge',
        'lifeboat_backup_duration_seconds{cluster="prod",node="cp-1"} 12.5',
        '# HELP lifeboat_backup_bytes Size of the last successful backup (encrypted payload) in bytes.',
        '# TYPE lifeboat_backup_bytes gauge',
        'lifeboat_backup_bytes{cluster="prod",node="cp-1"} 1048576',
        '# HELP lifeboat_backup_failures_total Failed backup runs.',
        '# TYPE lifeboat_backup_failures_total counter',
        'lifeboat_backup_failures_total{cluster="prod",node="cp-1"} 2',
        '',
      ].join('\n'),
    );
  });

  it('leaves out what is unknown, escapes label values and parses its own output back', () => {
    const text = renderMetrics({ cluster: 'a"b\\c\nd', node: 'n', durationSeconds: 1, failuresTotal: 1 });
    expect(text).not.toContain('lifeboat_last_success_timestamp_seconds{');
    expect(text).not.toContain('lifeboat_backup_bytes{');
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(text).toContain('{cluster="a\\"b\\\\c\\nd",node="n"} 1');
    expect(parseMetrics(text, 'a"b\\c\nd', 'n')).toEqual({ durationSeconds: 1, failuresTotal: 1 });
    expect(parseMetrics(text, 'other', 'n')).toEqual({});
  });

  it('builds the Pushgateway grouping URL', () => {
    expect(pushgatewayUrl('http://pg:9091/', 'prod', 'cp-1.example')).toBe(
      'http://pg:9091/metrics/job/lifeboat/cluster/prod/node/cp-1.example',
    );
  });

  it('round-trips status ConfigMap keys per node', () => {
    const data = statusData('cp-1', { lastOutcome: 'Succeeded', lastSuccessBytes: 5, failuresTotal: 0 });
    expect(data).toEqual({
      'cp-1.last-outcome': 'Succeeded',
      'cp-1.last-success-bytes': '5',
      'cp-1.failures-total': '0',
    });
    expect(parseStatus(data, 'cp-1')).toEqual({
      lastOutcome: 'Succeeded',
      lastSuccessBytes: 5,
      failuresTotal: 0,
    });
    expect(parseStatus(data, 'cp-2')).toEqual({});
  });

  it('finds the nodes that reported, dotted names included, and not the cluster-wide keys', () => {
    const data = {
      cluster: 'prod',
      store: 's3://b/p',
      ...statusData('cp-1.example.com', { lastOutcome: 'Succeeded' }),
      ...statusData('cp-2', { failuresTotal: 3 }),
    };
    expect(statusNodes(data)).toEqual(['cp-1.example.com', 'cp-2']);
    expect(statusNodes(undefined)).toEqual([]);
  });
});

describe('reportOutcome without a cluster', () => {
  it('writes the textfile atomically, keeps the counter across runs, and PUTs to the Pushgateway', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeboat-metrics-'));
    const received: { method?: string; url?: string; type?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const io = memoryIo();
      const target = {
        cluster: 'prod',
        node: 'cp-1',
        env: {},
        metricsTextfileDir: dir,
        pushgateway: `http://127.0.0.1:${port}`,
      };
      const finishedAt = new Date('2026-01-01T00:00:00Z');
      const ok = await reportOutcome(
        target,
        { ok: true, id: '20260101T000000Z', bytes: 4096, revision: 42, durationMs: 3000, finishedAt },
        logger(io),
      );
      expect(ok.cluster).toBeUndefined();
      expect(ok.textfile).toBe(join(dir, 'lifeboat.prom'));
      const failed = await reportOutcome(
        target,
        { ok: false, error: new Error('etcd unreachable'), durationMs: 500 },
        logger(io),
      );
      expect(failed.pushed).toBe(`http://127.0.0.1:${port}/metrics/job/lifeboat/cluster/prod/node/cp-1`);
      await reportOutcome(target, { ok: false, error: new Error('again'), durationMs: 500 }, logger(io));
      const text = await readFile(join(dir, 'lifeboat.prom'), 'utf8');
      expect(parseMetrics(text, 'prod', 'cp-1')).toEqual({
        lastSuccessSeconds: finishedAt.getTime() / 1000,
        bytes: 4096,
        durationSeconds: 0.5,
        failuresTotal: 2,
      });
      expect(await readdir(dir)).toEqual(['lifeboat.prom']);
      expect(received).toHaveLength(3);
      expect(received[2]).toMatchObject({
        method: 'PUT',
        url: '/metrics/job/lifeboat/cluster/prod/node/cp-1',
        type: 'text/plain; version=0.0.4; charset=utf-8',
        body: text,
      });
      expect(io.err()).not.toContain('warn');
    } finally {
      server.close();
    }
  });

  it('warns but does not throw when the Pushgateway refuses or the dir is missing', async () => {
    const io = memoryIo();
    const summary = await reportOutcome(
      {
        cluster: 'prod',
        node: 'cp-1',
        env: {},
        metricsTextfileDir: '/nonexistent/lifeboat',
        pushgateway: 'http://127.0.0.1:1',
        timeoutMs: 2000,
      },
      { ok: false, error: new Error('boom'), durationMs: 1 },
      logger(io),
    );
    expect(summary.textfile).toBeUndefined();
    expect(summary.pushed).toBeUndefined();
    expect(io.err()).toContain('cannot write metrics');
    expect(io.err()).toContain('cannot push metrics');
  });
});
