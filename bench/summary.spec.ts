import { bestSteady, summaryMarkdown } from './summary';
import { suiteResult as result } from './lib/suite-fixture';

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

  it('judges several runs by their medians in the goals table, each run beside, and says which run the rest is', () => {
    const r = result();
    expect(summaryMarkdown(r)).toContain('| what | goal | previous | this run (');
    r.runs = [
      { file: 'results/2026-12-07-run1.json', date: '2026-12-07T09:00:00.000Z', headline: { drainViewsPerSecond: 300_000 } },
      { file: 'results/2026-12-07-run2.json', date: '2026-12-07T09:30:00.000Z', headline: { drainViewsPerSecond: 200_000 } },
      { file: 'results/2026-12-07.json', date: '2026-12-07T10:00:00.000Z', headline: { drainViewsPerSecond: 250_000 } },
    ];
    const text = summaryMarkdown(r);
    expect(text).toContain('The median of 3 runs in a row (`bench/results/2026-12-07-run1.json`');
    expect(text).toContain('started 09:00, 09:30, 10:00 UTC');
    expect(text).toContain(
      '| drain, 100 views/message | ≥ 500,000 views/s on 2 cores | not measured | **250k views/s** | 300k views/s · 200k views/s · 250k views/s | **no**: 0.50× the goal |',
    );
  });
});
