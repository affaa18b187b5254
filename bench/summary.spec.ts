import { bestSteady, summaryMarkdown } from './summary';
import type { SuiteResult } from './result';
import { SIZES } from './parts/context';

const step = (targetPerSecond: number, countedPerSecond: number, keptUp: boolean, settings: Record<string, string> = {}) => ({
  viewsPerMessage: 100,
  settings,
  targetPerSecond,
  producedPerSecond: targetPerSecond,
  countedPerSecond,
  behindAtEnd: 0,
  keptUp,
  cores: {},
});

const result = (): SuiteResult => ({
  benchmark: 'test',
  date: '2026-11-28T06:00:00.000Z',
  machine: '2 × cpu, 24 GiB',
  clickhouse: 'chDB',
  size: 'smoke',
  sizes: SIZES.smoke,
  ingest: {
    drain: [
      {
        viewsPerMessage: 100,
        settings: {},
        views: 1000,
        drainSeconds: 1,
        viewsPerSecond: 400_000,
        cores: { service: 1.2, broker: 0.1 },
        serviceMiB: 300,
        servicePeakMiB: 400,
        diskMiB: 10,
      },
    ],
    steady: [
      step(100_000, 99_000, true),
      step(200_000, 190_000, true),
      step(300_000, 150_000, false),
      step(100_000, 98_000, true, { KAFKA_CONSUMERS: '2' }),
    ],
  },
  physical: [],
  reads: [{ system: 'viewrank', k: 1000, ingest: false, requestsPerSecond: 3000, p50Ms: 2, p99Ms: 7, maxMs: 9, errors: 0 }],
  peers: [
    {
      system: 'Redis sorted sets',
      views: 1000,
      seconds: 10,
      viewsPerSecond: 40_000,
      cores: { server: 0.3, consumer: 1 },
      memoryMiB: 15,
      dataMiB: 11,
      sameTopAsViewrank: true,
    },
  ],
});

describe('benchmark summary', () => {
  it('takes, per setting, the fastest steady step that kept up', () => {
    expect(bestSteady(result()).map((s) => [s.settings, s.countedPerSecond])).toEqual([
      [{}, 190_000],
      [{ KAFKA_CONSUMERS: '2' }, 98_000],
    ]);
  });

  it('states each peer against viewrank on the same stream, and flags a peer that ranked differently', () => {
    const r = result();
    expect(summaryMarkdown(r)).toContain('| Redis sorted sets | 10.0× | n/a | n/a | 0.1× |');
    r.peers[0].sameTopAsViewrank = false;
    expect(summaryMarkdown(r)).toMatch(/\| Redis sorted sets \|.*\| \*\*no\*\* \|/);
  });

  it('tables the top-K refresh rows, full against incremental', () => {
    const r = result();
    expect(summaryMarkdown(r)).not.toContain('Top-K refresh');
    r.precompute = {
      date: '2026-11-28T10:00:00.000Z',
      rounds: 3,
      results: [
        {
          videos: 50_000_000,
          updates: 10_000,
          distinctUpdated: 6_100,
          window: 'month',
          fullMs: 6000,
          incrementalMs: 80,
          lookedUp: 1000,
          speedup: 75,
          exact: true,
        },
      ],
    };
    expect(summaryMarkdown(r)).toContain('| 50,000,000 | 10,000 (6,100) | month | 6,000 | 80 | 1,000 | **75×** | yes |');
  });
});
