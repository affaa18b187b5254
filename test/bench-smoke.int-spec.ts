// The benchmark suite at its smoke size, end to end, as `npm run bench -- --smoke` runs it: it installs and starts
// what it needs, runs every part against the real broker, embedded ClickHouse, Redis and PostgreSQL, and writes its
// results, summary and chart. Nothing here judges a speed: only that every part ran, counted exactly, and reported.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteResult } from '../bench/result';

const out = join(__dirname, '../.cache/bench-smoke');

describe('npm run bench -- --smoke', () => {
  let result: SuiteResult;

  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    execFileSync('bash', [join(__dirname, '../scripts/bench.sh'), '--smoke'], { stdio: 'inherit', timeout: 600_000 });
    result = JSON.parse(readFileSync(join(out, 'results', `${new Date().toISOString().slice(0, 10)}.json`), 'utf8'));
  }, 700_000);

  it('drained the stream through Kafka and ran the steady load', () => {
    expect(result.size).toBe('smoke');
    // The default drain (exactly once), then the same at least once (the cost of the guarantee), then a TSV topic
    // (the compact wire format), each counted exactly (the part fails on a count above the topic's, or short of it).
    expect(result.ingest.drain).toHaveLength(3);
    expect(result.ingest.drain[0]).toMatchObject({ viewsPerMessage: 100, views: result.sizes.drainViews, settings: {} });
    expect(result.ingest.drain[1]).toMatchObject({
      viewsPerMessage: 100,
      views: result.sizes.drainViews,
      settings: { INGEST_GUARANTEE: 'at-least-once' },
    });
    expect(result.ingest.drain[2]).toMatchObject({
      viewsPerMessage: 100,
      views: result.sizes.drainViews,
      settings: { KAFKA_FORMAT: 'TSV' },
    });
    for (const drain of result.ingest.drain) expect(drain.viewsPerSecond).toBeGreaterThan(0);
    expect(result.ingest.steady[0]).toMatchObject({ targetPerSecond: result.sizes.steadyRates[0] });
    expect(result.ingest.steady[0].countedPerSecond).toBeGreaterThan(0);
  });

  it('inserted straight into ClickHouse every way, counted exactly (the part checks its own total)', () => {
    expect(result.physical.map((p) => p.label)).toEqual([
      'parse only, JSONEachRow',
      'parse only, TSV',
      'JSON, default parsing',
      'JSON, one parser',
      'numbers(), defaults',
      'numbers(), parallel views',
    ]);
    // The smoke size is below the JSON runs' cap of 2M rows, so every way inserted the same number of rows.
    expect(result.physical.every((p) => p.rows === result.sizes.physicalRows && p.rowsPerSecond > 0)).toBe(true);
  });

  it('timed the counting chain per view and per block, as rows of their own in the goals and the summary', () => {
    expect(result.chainCost).toMatchObject({ rows: result.sizes.physicalRows, blockRows: 100_000, oneRowBlocks: 10 });
    expect(result.chainCost!.perViewMicroseconds).toBeGreaterThan(0);
    expect(result.chainCost!.perBlockMs).toBeGreaterThan(0);
    const summary = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(summary).toContain('## The counting chain: a view, a block');
    expect(summary).toContain(`| the counting chain, per block (one-row blocks, exactly once) | ≤ 10 ms |`);
  });

  it('saw every freshness probe in every window', () => {
    for (const window of ['last-hour', 'hour', 'day', 'month', 'all-time']) {
      expect(result.freshness!.latenciesMs[window]).toHaveLength(result.sizes.freshnessProbes);
    }
  });

  it('read every k from viewrank (idle and ingesting) and from both peers without an error', () => {
    const rows = result.reads.map((r) => `${r.system}/${r.k}/${r.ingest}`);
    for (const k of [10, 100, 1000]) {
      expect(rows).toEqual(
        expect.arrayContaining([
          `viewrank/${k}/false`,
          `viewrank/${k}/true`,
          `Redis sorted sets/${k}/false`,
          `PostgreSQL counter rows/${k}/false`,
        ]),
      );
    }
    expect(result.reads.every((r) => r.errors === 0 && r.requestsPerSecond > 0)).toBe(true);
  });

  it('fed both peers the whole stream, and each ranked it as viewrank did', () => {
    expect(result.peers.map((p) => [p.system, p.views, p.sameTopAsViewrank])).toEqual([
      ['Redis sorted sets', result.sizes.drainViews, true],
      ['PostgreSQL counter rows', result.sizes.drainViews, true],
    ]);
  });

  it('ran the precompute benchmark, exact at every window', () => {
    const precompute = result.precompute as { results: { exact: boolean }[] };
    expect(precompute.results.length).toBeGreaterThan(0);
    expect(precompute.results.every((r) => r.exact)).toBe(true);
  });

  it('wrote the summary and the chart', () => {
    const summary = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(summary).toContain('## Against the alternatives');
    expect(summary).toMatch(/The cost of exactly-once ingestion .* at least once in the same run/);
    expect(existsSync(join(out, 'chart.png'))).toBe(true);
    expect(readFileSync(join(out, 'chart.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});
