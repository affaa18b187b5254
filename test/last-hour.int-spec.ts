// Property-based test of the sliding last-hour window against real (embedded) ClickHouse: random streams with
// late, too-late and out-of-order views, bursts, quiet minutes and ties, the clock walked across an hour and a day
// boundary, crashes at random points of a refresh (then a restart), and two schedulers at once. After every step
// the list equals a brute-force recount by the window's definition.
import fc from 'fast-check';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { topK } from '../src/topk/ranking';
import { lastHourWindow, MINUTE_MS, minuteStart, newestClosedMinute } from '../src/topk/sliding';
import { SlidingWindowRepository } from '../src/topk/sliding-window.repository';
import { SlidingWindowService } from '../src/topk/sliding-window.service';
import { MAX_K, toClickHouseDateTime, tumblingWindow } from '../src/topk/windows';
import { TEST_CHDB_PATH } from './support/app';
import { uniqueName } from './support/kafka';

const LATE_MS = 30_000;

interface Arrival {
  videoId: string;
  t: number;
  step: number;
}

/** What last-hour means, as the README states it: views of the 60 minutes up to now, each minute as it stood when it closed. */
function recountLastHour(arrivals: Arrival[], now: number, step: number, closedAtStep: Map<number, number>): Map<string, number> {
  const { start, end } = lastHourWindow(new Date(now));
  const counts = new Map<string, number>();
  for (const a of arrivals) {
    if (a.t < start.getTime() || a.t >= end.getTime()) continue;
    const closed = closedAtStep.get(minuteStart(a.t));
    if (a.step > (closed ?? step)) continue; // arrived after its minute closed: set aside
    counts.set(a.videoId, (counts.get(a.videoId) ?? 0) + 1);
  }
  return counts;
}

/** A repository that "crashes" (throws) at its n-th write: a step may have taken effect without being recorded. */
function crashingAt(real: SlidingWindowRepository, n: number): SlidingWindowRepository {
  let writes = 0;
  const crash = () => {
    if (++writes === n) throw new Error(`simulated crash at write ${n}`);
  };
  return Object.assign(Object.create(real), {
    runStep: async (minute: number, step: never) => (crash(), real.runStep(minute, step)),
    record: async (minute: number, step: never) => (crash(), real.record(minute, step)),
  }) as SlidingWindowRepository;
}

const viewArb = fc.record({
  video: fc.integer({ min: 0, max: 24 }), // a small catalogue: ties are frequent
  lateness: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: LATE_MS }) }, // within the tolerance: must count
    { weight: 1, arbitrary: fc.integer({ min: LATE_MS + 1, max: 5 * MINUTE_MS }) }, // too late for last-hour
  ),
  count: fc.integer({ min: 1, max: 3 }),
});
const stepArb = fc.record({
  advanceMs: fc.integer({ min: 5_000, max: 110_000 }),
  views: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 5, arbitrary: fc.array(viewArb, { maxLength: 12 }) }),
  burst: fc.option(fc.record({ video: fc.integer({ min: 0, max: 24 }), count: fc.integer({ min: 20, max: 150 }) }), { freq: 8 }),
  crashAtWrite: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 6 }),
  twoSchedulers: fc.boolean(),
});

describe('last-hour by minute increments and decrements (real ClickHouse)', () => {
  let base: ClickHouseService;
  const baseConfig = loadConfig({ CHDB_PATH: TEST_CHDB_PATH, RETENTION_MINUTE_HOURS: '72', LATE_TOLERANCE_MS: String(LATE_MS) });

  beforeAll(() => {
    base = new ClickHouseService(baseConfig);
  });
  afterAll(() => base.onApplicationShutdown());

  it('equals the recount after every step, through crashes, restarts and concurrent schedulers', async () => {
    const realDayStart = tumblingWindow('day', new Date()).start.getTime();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 20, max: 100 }), fc.array(stepArb, { minLength: 200, maxLength: 240 }), async (minutesBeforeMidnight, steps) => {
        const database = uniqueName('lasthour');
        const config: AppConfig = { ...baseConfig, clickhouse: { ...baseConfig.clickhouse, database }, kafka: { ...baseConfig.kafka, topic: database, group: database } };
        const clickhouse = base.withDatabase(database);
        await runMigrations(clickhouse, config);
        const repository = new SlidingWindowRepository(clickhouse);
        const newService = (repo = repository) => new SlidingWindowService(repo, config); // a "restart": nothing kept in memory
        try {
          const arrivals: Arrival[] = [];
          const closedAtStep = new Map<number, number>();
          let now = realDayStart - minutesBeforeMidnight * MINUTE_MS - 17_123; // cross a day (and hour) boundary
          const walkStart = now;
          for (let s = 0; s < steps.length; s++) {
            const step = steps[s];
            now += step.advanceMs;
            const batch: Arrival[] = [];
            // The catalogue drifts with simulated time: every 5 minutes the 25 ids are replaced by 25 new ones, so a
            // walk of three hours or more sees far more videos than any one hour holds. (It drifted every 20 steps
            // before; a walk whose last hour had many short steps then saw too few videos for the bound below.)
            const id = (video: number) => `v${video + Math.floor((now - walkStart) / (5 * MINUTE_MS)) * 25}`;
            for (const v of step.views) for (let i = 0; i < v.count; i++) batch.push({ videoId: id(v.video), t: now - v.lateness, step: s });
            if (step.burst) for (let i = 0; i < step.burst.count; i++) batch.push({ videoId: id(step.burst.video), t: now - 1, step: s });
            if (batch.length) {
              await clickhouse.client.insert({
                table: `${database}.views_parsed`,
                format: 'JSONEachRow',
                values: batch.map((a) => ({ video_id: a.videoId, event_time: toClickHouseDateTime(new Date(a.t)) + '.' + String(a.t % 1000).padStart(3, '0'), error: '', raw_message: '', topic: 't', partition: 0, offset: 0 })),
              });
              arrivals.push(...batch);
            }
            const at = new Date(now);
            if (step.crashAtWrite !== null) {
              await newService(crashingAt(repository, step.crashAtWrite)).refresh(at, MAX_K).catch(() => undefined);
            }
            const results = step.twoSchedulers
              ? await Promise.all([newService().refresh(at, MAX_K), newService().refresh(at, MAX_K)])
              : [await newService().refresh(at, MAX_K)];
            // Minutes this step closed (the implementation snapshots each at the first refresh that sees it closed).
            const { start } = lastHourWindow(at);
            for (let m = start.getTime(); m <= newestClosedMinute(now, LATE_MS); m += MINUTE_MS) if (!closedAtStep.has(m)) closedAtStep.set(m, s);
            const expected = topK(recountLastHour(arrivals, now, s, closedAtStep), MAX_K);
            for (const result of results) {
              for (const k of [1, 10, 1000]) expect({ step: s, k, list: result.entries!.slice(0, k) }).toEqual({ step: s, k, list: expected.slice(0, k) });
            }
          }
          // The ledger: every minute that closed during the walk was snapshotted and added, and subtracted if it
          // has left the window since; no other minute has any step.
          const ledger = await clickhouse.select<{ minute: string; steps: string[] }>(
            'SELECT minute, arraySort(groupUniqArray(toString(step))) AS steps FROM {db:Identifier}.last_hour_ledger GROUP BY minute ORDER BY minute',
          );
          const windowStart = lastHourWindow(new Date(now)).start.getTime();
          const expectedLedger = [...closedAtStep.keys()].sort((a, b) => a - b).map((m) => ({
            minute: new Date(m).toISOString().replace('.000Z', 'Z'),
            steps: m < windowStart ? ['add', 'snapshot', 'subtract'] : ['add', 'snapshot'],
          }));
          expect(ledger).toEqual(expectedLedger);
          // The state holds one row per video with views in the closed minutes of the window, whatever has passed.
          await clickhouse.command('OPTIMIZE TABLE {db:Identifier}.views_last_hour FINAL');
          const [{ rows }] = await clickhouse.select<{ rows: string }>('SELECT count() AS rows FROM {db:Identifier}.views_last_hour');
          const closedOnly = recountLastHour(
            arrivals.filter((a) => minuteStart(a.t) <= newestClosedMinute(now, LATE_MS)),
            now,
            steps.length - 1,
            closedAtStep,
          );
          expect(Number(rows)).toBe(closedOnly.size);
          expect(new Set(arrivals.map((a) => a.videoId)).size).toBeGreaterThan(2 * Number(rows));
        } finally {
          await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
        }
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 600_000);
});
