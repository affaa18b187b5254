import { goalRows, goalRowsOfRuns, headline, Headline, median, medianHeadline } from './goals';
import { suiteResult } from './lib/suite-fixture';

describe('benchmark goals', () => {
  it('takes the headline figures from a run: the default drain, the steady rates kept and lost, reads under ingest', () => {
    const r = suiteResult();
    r.reads.push({ system: 'viewrank', k: 1000, ingest: true, requestsPerSecond: 2000, p50Ms: 3, p99Ms: 16, maxMs: 40, errors: 0 });
    r.reads.push({
      system: 'viewrank, one video, every id new',
      k: 0,
      ingest: true,
      requestsPerSecond: 900,
      p50Ms: 4,
      p99Ms: 9,
      maxMs: 30,
      errors: 0,
    });
    r.freshness = {
      backgroundViewsPerSecond: 100_000,
      probes: 2,
      perWindow: { 'last-hour': { p50Ms: 2000, p99Ms: 4700, maxMs: 4700 }, 'all-time': { p50Ms: 3000, p99Ms: 9300, maxMs: 9300 } },
      latenciesMs: {},
      answersOtherThan200: [],
    };
    r.chainCost = {
      rows: 2_000_000,
      blockRows: 100_000,
      perViewMicroseconds: 5.5,
      viewsPerSecond: 181_818,
      oneRowBlocks: 100,
      perBlockMs: 41.2,
      perBlockP90Ms: 50.3,
    };
    expect(headline(r)).toEqual({
      drainViewsPerSecond: 400_000,
      // The KAFKA_CONSUMERS=2 step is a tuning, not the defaults.
      steadyKeptUpPerSecond: 200_000,
      steadyFellBehindPerSecond: 300_000,
      freshnessP99Ms: { 'last-hour': 4700, 'all-time': 9300 },
      readP99MsUnderIngest: 16,
      videoP99MsUnderIngest: 9,
      chainPerViewMicroseconds: 5.5,
      chainPerBlockMs: 41.2,
      memoryMiB: 300,
      peersMemoryMiB: { 'Redis sorted sets': 15 },
    });
  });

  it('judges each goal and says how far off a missed one is, beside the previous run', () => {
    const previous: Headline = {
      drainViewsPerSecond: 461_461,
      steadyKeptUpPerSecond: 200_000,
      steadyFellBehindPerSecond: 300_000,
      chainPerViewMicroseconds: 5.5,
    };
    const now: Headline = {
      drainViewsPerSecond: 1_020_000,
      steadyKeptUpPerSecond: 250_000,
      steadyFellBehindPerSecond: 300_000,
      freshnessP99Ms: { 'last-hour': 2100, hour: 3400 },
      readP99MsUnderIngest: 5,
      videoP99MsUnderIngest: 60,
      memoryMiB: 565,
      peersMemoryMiB: { 'Redis sorted sets': 265, 'PostgreSQL counter rows': 378 },
      chainPerViewMicroseconds: 4.4,
      chainPerBlockMs: 9.5,
    };
    const rows = goalRows(now, previous);
    expect(rows.map((row) => [row.what, row.met, row.gap])).toEqual([
      ['drain, 100 views/message', true, undefined],
      ['steady, load generator beside it', false, '0.83× the goal'],
      ['freshness p99, produce → visible', false, 'worst window 1.13× the goal'],
      ['reads p99, k = 1000, 10 connections, during ingest', true, undefined],
      ['memory (Pss) after the drain (the peers in the same run beside it)', false, '1.13× the goal'],
      ["one video's numbers p99, every request a lookup, 10 connections, during ingest", false, '1.20× the goal'],
      ['the counting chain, per view (100,000-view blocks into views_parsed, exactly once)', false, '2.20× the goal'],
      ['the counting chain, per block (one-row blocks, exactly once)', true, undefined],
    ]);
    expect(rows[6]).toMatchObject({ previous: '5.5 µs', now: '4.4 µs' });
    expect(rows[7]).toMatchObject({ previous: 'not measured', now: '9.5 ms' });
    expect(rows[0]).toMatchObject({ previous: '461k views/s', now: '1,020k views/s' });
    expect(rows[1]).toMatchObject({ previous: 'kept up at 200k, not at 300k', now: 'kept up at 250k, not at 300k' });
    expect(rows[2]).toMatchObject({ previous: 'not measured', now: '2.1 s (last-hour) to 3.4 s (hour)' });
    expect(rows[4].now).toBe('565 MiB (Redis 265, PostgreSQL 378)');
  });

  it('leaves a goal unjudged when the run did not measure it, rather than calling it met or missed', () => {
    const rows = goalRows({}, undefined);
    expect(rows.every((row) => row.met === undefined && row.now === 'not measured' && row.previous === 'not measured')).toBe(true);
    // A probe never seen is recorded as the probe timeout, and said so.
    expect(goalRows({ freshnessP99Ms: { hour: 120_000, day: 2000 } }, undefined)[2]).toMatchObject({
      now: '2.0 s (day) to > 120 s (hour)',
      met: false,
      gap: 'a probe was not visible within 120 s',
    });
    expect(goalRows({ steadyKeptUpPerSecond: 0, steadyFellBehindPerSecond: 100_000 }, undefined)[1]).toMatchObject({
      now: 'kept up at no rate tried, not at 100k',
      gap: 'fell behind at the lowest rate tried',
    });
    // Memory is judged on its own figure, with or without peers beside it.
    expect(goalRows({ memoryMiB: 100 }, undefined)[4]).toMatchObject({ now: '100 MiB', met: true });
  });

  it('judges several runs on their medians, each figure over the runs that measured it, every run shown beside', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, undefined, 1, 2, 3])).toBe(2.5);
    expect(median([undefined])).toBeUndefined();
    const runs: Headline[] = [
      { drainViewsPerSecond: 216_000, steadyKeptUpPerSecond: 100_000, steadyFellBehindPerSecond: 200_000, memoryMiB: 768 },
      {
        drainViewsPerSecond: 248_000,
        steadyKeptUpPerSecond: 0,
        steadyFellBehindPerSecond: 100_000,
        memoryMiB: 839,
        freshnessP99Ms: { hour: 2000, day: 9000 },
        peersMemoryMiB: { Redis: 265 },
      },
      {
        drainViewsPerSecond: 226_000,
        steadyKeptUpPerSecond: 200_000,
        memoryMiB: 898,
        freshnessP99Ms: { hour: 4000, day: 1000 },
        peersMemoryMiB: { Redis: 267 },
      },
    ];
    expect(medianHeadline(runs)).toEqual({
      drainViewsPerSecond: 226_000,
      steadyKeptUpPerSecond: 100_000,
      // Only two runs lost a rate: the mean of their two.
      steadyFellBehindPerSecond: 150_000,
      freshnessP99Ms: { hour: 3000, day: 5000 },
      memoryMiB: 839,
      peersMemoryMiB: { Redis: 266 },
    });
    const rows = goalRowsOfRuns(runs, undefined);
    expect(rows[0]).toMatchObject({ now: '226k views/s', runs: '216k views/s · 248k views/s · 226k views/s', met: false });
    expect(rows[1].runs).toBe('kept up at 100k, not at 200k · kept up at no rate tried, not at 100k · kept up at 200k');
    expect(rows[2]).toMatchObject({
      now: '3.0 s (hour) to 5.0 s (day)',
      runs: 'not measured · 2.0 s (hour) to 9.0 s (day) · 1.0 s (day) to 4.0 s (hour)',
    });
    expect(rows[4]).toMatchObject({ now: '839 MiB (Redis 266)', met: false });
    // One run: its own figures, no column of runs.
    expect(goalRowsOfRuns([runs[0]], undefined)[0]).toEqual(goalRows(runs[0], undefined)[0]);
  });
});
