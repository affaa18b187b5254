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
});
