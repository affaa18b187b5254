import { DEFAULT_ASSUMPTIONS, distinctVideos, Measured, plan } from './capacity';

const measured: Measured = {
  ingestViewsPerCoreSecond: 180_000,
  fullRefreshMsPerMillionVideos: 130,
  incrementalRefreshMs: 100,
  bytesPerRow: { views_by_minute: 10, views_by_hour: 10, views_by_day: 10, views_by_month: 10, views_total: 20, views_recent: 12 },
  sources: [],
};

describe(distinctVideos.name, () => {
  /** The exact expectation, summed over every rank. */
  const exact = (views: number, videos: number) => {
    let harmonic = 0;
    for (let i = 1; i <= videos; i++) harmonic += 1 / i;
    let total = 0;
    for (let i = 1; i <= videos; i++) total += 1 - Math.exp(-views / (i * harmonic));
    return total;
  };

  it('agrees with the exact sum to within 0.5%', () => {
    for (const [views, videos] of [
      [1_000, 100_000],
      [100_000, 100_000],
      [1_000_000, 200_000],
      [50, 10],
    ]) {
      const model = distinctVideos(views, videos);
      expect({ views, videos, error: Math.abs(model - exact(views, videos)) / exact(views, videos) < 0.005 }).toEqual({
        views,
        videos,
        error: true,
      });
    }
  });

  it('never exceeds the views or the catalogue, and grows with the views', () => {
    expect(distinctVideos(10, 1e9)).toBeLessThanOrEqual(10);
    expect(distinctVideos(1e15, 1000)).toBeLessThanOrEqual(1000);
    expect(distinctVideos(1e15, 1000)).toBeGreaterThan(999);
    expect(distinctVideos(0, 1000)).toBe(0);
    expect(distinctVideos(2e9, 3.6e9)).toBeGreaterThan(distinctVideos(1e9, 3.6e9));
  });
});

describe(plan.name, () => {
  const figure = (p: ReturnType<typeof plan>, what: string) => p.figures.find((f) => f.what === what)!.value;

  it('takes as many shards as ingestion needs at the CPU share allowed, and servers for every replica', () => {
    const bigDisks = { ...DEFAULT_ASSUMPTIONS, maxDiskPerServerBytes: 2 ** 60 };
    // 700k views/s ÷ 180k per core = 3.9 cores; 16 cores a server for ingestion: 1 shard. At 10× the load: 3 shards.
    expect(plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured, bigDisks)).toMatchObject({ shards: 1, servers: 2 });
    expect(plan({ viewsPerSecond: 7_000_000, videos: 3.6e9 }, measured, bigDisks)).toMatchObject({ shards: 3, servers: 6 });
    expect(plan({ viewsPerSecond: 7_000_000, videos: 3.6e9 }, measured, { ...bigDisks, coresPerServer: 8 })).toMatchObject({ shards: 10 });
  });

  it('adds shards for disk when the data of the CPU-sized cluster does not fit the largest disk', () => {
    // About 4.8 TiB of data here: one shard for CPU, but not within 60% of an 8 TiB disk.
    const p = plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured);
    expect(p.shards).toBe(2);
    expect(p.figures.find((f) => f.what === 'shards')!.basis).toMatch(/^1 for CPU .*, 2 for disk/);
    expect(
      plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured, { ...DEFAULT_ASSUMPTIONS, maxDiskPerServerBytes: 2 ** 40 }).shards,
    ).toBe(9);
  });

  it('sizes disk from rows × measured bytes per row, split over the shards', () => {
    const one = plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured);
    const more = plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured, { ...DEFAULT_ASSUMPTIONS, coresPerServer: 2 });
    expect(more.shards).toBeGreaterThan(one.shards);
    const tib = (value: string) => (value.endsWith('TiB') ? 1024 : 1) * Number(value.split(' ')[0].replace(/,/g, ''));
    // The same data, spread over more shards (views_recent grows a little with them: more, smaller blocks).
    expect(tib(figure(more, 'data per server'))).toBeLessThan((tib(figure(one, 'data per server')) / (more.shards / one.shards)) * 1.2);
    // views_total holds every video viewed in ten years: at this load, nearly the whole catalogue.
    expect(figure(one, 'rows: views_total')).toMatch(/^3\.[56]\dB /);
  });

  it('partitions the topic for its throughput, in a multiple of the shards, with at least three brokers', () => {
    const p = plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured, { ...DEFAULT_ASSUMPTIONS, coresPerServer: 2 });
    expect(Number(figure(p, 'Kafka partitions').replace(/,/g, '')) % p.shards).toBe(0);
    expect(figure(p, 'topic throughput')).toBe('33.6 MB/s');
    expect(Number(figure(p, 'Kafka brokers'))).toBeGreaterThanOrEqual(3);
  });

  it('puts a basis next to every figure', () => {
    for (const f of plan({ viewsPerSecond: 700_000, videos: 3.6e9 }, measured).figures) expect(f.basis.length).toBeGreaterThan(10);
  });
});
