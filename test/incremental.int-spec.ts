// The incremental top-K refresh equals a full recomputation after every one of thousands of refreshes over random
// streams, through hour and day roll-overs (real embedded ClickHouse). The recount is independent of what the
// refresher reads: every window, all-time included, is summed from the hour rows. The refresher runs as the service
// runs it, on its own thread (RefreshThread), its queries run by this one.
import fc from 'fast-check';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { loadConfig } from '../src/config/app-config';
import { TopKRepository } from '../src/top-k/top-k.repository';
import { insertParsedViews, migratedDatabase, rollUp, topInInterval } from './support/clickhouse';
import type { IncrementalOptions } from '../src/top-k/incremental';
import { RefreshThread } from '../src/top-k/refresh-thread';
import type { GrowingWindow } from '../src/top-k/windows';
import { ALL_TIME, MAX_K, WINDOW_SPECS } from '../src/top-k/windows';
import { TEST_CHDB_PATH } from './support/app';
import { random, zipf } from './support/stream';

const MINUTE = 60_000;
const WINDOWS: GrowingWindow[] = ['hour', 'day', 'month', 'all-time'];
const CATALOGUE = 2500; // more than MAX_K, so lists have a boundary where small changes move videos in and out
/** Random streams of ~530 steps each: 2 in the test command, INCREMENTAL_RUNS (4 by `npm run bench:incremental`) for the full size. */
const RUNS = Number(process.env.INCREMENTAL_RUNS ?? 2);

const stepArb = fc.record({
  advanceMs: fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1000, max: 4 * MINUTE }) },
    { weight: 1, arbitrary: fc.integer({ min: 30 * MINUTE, max: 150 * MINUTE }) },
  ),
  views: fc.integer({ min: 0, max: 40 }),
  lateMs: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 26 * 60 * MINUTE }) }),
});

describe('incremental top-K refresh (real ClickHouse)', () => {
  let base: ClickHouseService;
  const baseConfig = loadConfig({ CHDB_PATH: TEST_CHDB_PATH });
  /** No margin (the test writes between refreshes, never during one), no periodic full, a narrow shadow: more to prove. */
  const TUNING: IncrementalOptions = { marginMs: 0, fullEveryMs: 86_400_000, tracked: 1000 };
  let refreshes = 0;
  let incrementalRefreshes = 0;
  let prunedRefreshes = 0;
  let longestList = 0;

  beforeAll(() => {
    base = new ClickHouseService(baseConfig);
  });
  afterAll(() => base.onApplicationShutdown());

  it(
    'equals the full computation after every refresh',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer(), fc.array(stepArb, { minLength: 500, maxLength: 560 }), async (seed, steps) => {
          const { database, config, clickhouse } = await migratedDatabase(base, baseConfig, 'incr');
          const repository = new TopKRepository(clickhouse);
          const refresher = new RefreshThread((request) => repository.rowsText(request), TUNING);
          let now = Date.now() - 2 * 24 * 60 * MINUTE;
          const rnd = random(seed);
          const pick = zipf(CATALOGUE, 0.8, rnd);
          /** Returns how many distinct videos received the views. */
          const insert = async (times: number[]) => {
            if (times.length === 0) return 0;
            const views = times.map((t) => ({ videoId: `v${pick()}`, at: new Date(t) }));
            await insertParsedViews(clickhouse, database, views);
            return new Set(views.map((v) => v.videoId)).size;
          };
          try {
            // A history, so the first lists are full and have a contested boundary.
            const t0 = now;
            await insert(Array.from({ length: 30_000 }, () => t0 - Math.floor(rnd() * 20 * 24 * 60 * MINUTE)));
            for (const step of steps) {
              now += step.advanceMs;
              const at = new Date(now);
              const touched = await insert(Array.from({ length: step.views }, () => now - Math.floor(rnd() * Math.max(1, step.lateMs))));
              // As PrecomputeService does: the rollup into the grains, ClickHouse's clock, then every window from it.
              await rollUp(clickhouse, config);
              const serverNowMs = await repository.serverNowMs();
              const seen: string[] = [];
              for await (const { window, interval, entries, mode, lookedUp } of refresher.refreshAll(at, serverNowMs)) {
                seen.push(window);
                refreshes++;
                if (mode === 'incremental') incrementalRefreshes++;
                // Fewer lookups than the list plus every touched video: the bounds ruled some out.
                if (lookedUp !== undefined && lookedUp < MAX_K + touched) prunedRefreshes++;
                const full = await topInInterval(clickhouse, interval ?? ALL_TIME, MAX_K);
                expect({ window, at: at.toISOString(), mode, list: entries }).toEqual({ window, at: at.toISOString(), mode, list: full });
                longestList = Math.max(longestList, entries.length);
              }
              expect(seen).toEqual(WINDOWS);
            }
          } finally {
            await refresher.close();
            await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      // Lists that were there to get wrong: empty grains (nothing rolled up) would agree with anything empty.
      expect(longestList).toBe(MAX_K);
      // The property is only worth something if most of the thousands of refreshes really were incremental.
      expect(refreshes).toBeGreaterThanOrEqual(RUNS * 2000);
      expect(incrementalRefreshes).toBeGreaterThan(0.7 * refreshes);
      // And if the bounds really spared lookups, rather than looking up everything touched.
      expect(prunedRefreshes).toBeGreaterThan(0.3 * incrementalRefreshes);
    },
    RUNS * 225_000,
  );

  it("fails a refresh whose thread ends, and starts the next on a new thread, in full; runs none but the reader's queries", async () => {
    const { database, config, clickhouse } = await migratedDatabase(base, baseConfig, 'incr');
    const repository = new TopKRepository(clickhouse);
    const refresher = new RefreshThread((request) => repository.rowsText(request), TUNING);
    try {
      const at = new Date();
      await insertParsedViews(
        clickhouse,
        database,
        ['a', 'a', 'b', 'c', 'c', 'c'].map((videoId) => ({ videoId, at })),
      );
      await rollUp(clickhouse, config);
      const refresh = async () => {
        const modes: string[] = [];
        for await (const { window, mode, entries } of refresher.refreshAll(at, await repository.serverNowMs())) {
          modes.push(`${window}:${mode}`);
          expect(entries).toEqual(await topInInterval(clickhouse, WINDOW_SPECS[window].intervalAt(at) ?? ALL_TIME, MAX_K));
        }
        return modes;
      };
      expect(await refresh()).toEqual(WINDOWS.map((w) => `${w}:full`));
      expect(await refresh()).toEqual(WINDOWS.map((w) => `${w}:incremental`));
      // Ended while a refresh runs: that refresh fails rather than waits for ever.
      const running = refresher.refreshAll(at, await repository.serverNowMs());
      await running.next();
      await refresher.close();
      await expect(running.next()).rejects.toThrow("the refresh's thread was closed");
      // The new thread knows no previous list: every window in full again, and right.
      expect(await refresh()).toEqual(WINDOWS.map((w) => `${w}:full`));
      // The main thread runs only the reader's named queries for it.
      await expect(repository.rowsText({ name: 'dead_letters', params: {} })).rejects.toThrow('not one of its queries');
    } finally {
      await refresher.close();
      await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });

  it('looks up the totals of more videos than one statement of the default max_query_size could name', async () => {
    // Each window's lookup binds its videos on an engine session of its own, in a SET statement that the engine parses
    // as SQL: 30,000 ids of 20 characters come to about 700 kB of it, past ClickHouse's default 256 KiB.
    const { database, config, clickhouse } = await migratedDatabase(base, baseConfig, 'incr');
    try {
      const at = new Date();
      await insertParsedViews(
        clickhouse,
        database,
        ['hot-a', 'hot-a', 'hot-b'].map((videoId) => ({ videoId, at })),
      );
      await rollUp(clickhouse, config);
      const absent = Array.from({ length: 30_000 }, (_, i) => `absent-${String(i).padStart(13, '0')}`);
      const repository = new TopKRepository(clickhouse);
      for (const window of WINDOWS) {
        const totals = await repository.totals({ window, interval: WINDOW_SPECS[window].intervalAt(at) }, [...absent, 'hot-a', 'hot-b']);
        expect({ window, totals: totals.sort((a, b) => a.videoId.localeCompare(b.videoId)) }).toEqual({
          window,
          totals: [
            { videoId: 'hot-a', views: 2 },
            { videoId: 'hot-b', views: 1 },
          ],
        });
      }
    } finally {
      await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });
});
