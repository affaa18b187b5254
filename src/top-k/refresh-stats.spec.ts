import { RefreshStats } from './refresh-stats';

describe(RefreshStats.name, () => {
  it('counts refreshes per window and mode', () => {
    const stats = new RefreshStats();
    stats.countRefresh('hour', 'incremental');
    stats.countRefresh('hour', 'incremental');
    stats.countRefresh('hour', 'full');
    stats.countRefresh('day', 'full');
    expect([...stats.refreshes].map(([w, modes]) => [w, Object.fromEntries(modes)])).toEqual([
      ['hour', { incremental: 2, full: 1 }],
      ['day', { full: 1 }],
    ]);
  });

  it('hands each recorded duration to one drain, keeping the newest 10,000 between drains', () => {
    const stats = new RefreshStats();
    stats.recordDuration({ seconds: 0.5 });
    stats.recordDuration({ window: 'month', seconds: 0.1 });
    expect(stats.drainDurations()).toEqual([{ seconds: 0.5 }, { window: 'month', seconds: 0.1 }]);
    expect(stats.drainDurations()).toEqual([]);
    for (let i = 0; i < 10_005; i++) stats.recordDuration({ seconds: i });
    const drained = stats.drainDurations();
    expect(drained).toHaveLength(10_000);
    expect(drained[0].seconds).toBe(5);
  });
});
