// Property-based test of the sliding last-hour window against real (embedded) ClickHouse: random streams with
// late, too-late and out-of-order views, bursts, quiet minutes and ties, the clock walked across an hour and a day
// boundary, ingestion that lags behind the topic (minutes, or more than the hour), service outages, crashes at
// random points of a refresh (then a restart), and two schedulers at once. Kafka is a model here (one partition,
// an append time per message), ClickHouse is real, including the offsets it records as written. After every step
// the list equals a brute-force recount by the window's definition.
import fc from 'fast-check';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { loadConfig } from '../src/config/app-config';
import { topK } from '../src/top-k/ranking';
import { AppendedOffsetsReader } from '../src/kafka/kafka-topic';
import { AppendedOffsets, IngestWatermark } from '../src/top-k/ingest-watermark';
import { closingInstant, lastHourWindow, MINUTE_MS, minuteStart, newestClosedMinute } from '../src/top-k/last-hour';
import { LastHourRepository } from '../src/top-k/last-hour.repository';
import { LastHourService } from '../src/top-k/last-hour.service';
import { toClickHouseDateTime64 } from '../src/clickhouse/params';
import { MAX_K, tumblingWindow } from '../src/top-k/windows';
import { TEST_CHDB_PATH } from './support/app';
import { migratedDatabase } from './support/clickhouse';

const LATE_MS = 30_000;

interface Arrival {
  videoId: string;
  /** Event time. */
  t: number;
  /** When the view reached Kafka (the broker's append time). */
  appendedAt: number;
}

/** On time: reached Kafka by the end of its minute plus the tolerance. */
const onTime = (a: Arrival) => a.appendedAt <= closingInstant(minuteStart(a.t), LATE_MS);

/** What last-hour means, as the README states it: on-time views of the 60 minutes up to now, of those ingested so far. */
function recountLastHour(ingested: Arrival[], now: number, minutes?: (minute: number) => boolean): Map<string, number> {
  const { start, end } = lastHourWindow(new Date(now));
  const counts = new Map<string, number>();
  for (const a of ingested) {
    if (a.t < start.getTime() || a.t >= end.getTime() || !onTime(a) || (minutes && !minutes(minuteStart(a.t)))) continue;
    counts.set(a.videoId, (counts.get(a.videoId) ?? 0) + 1);
  }
  return counts;
}

/** The topic as a model: one partition whose offsets are the log's indexes, no consumer group commit. */
class ModelTopic extends AppendedOffsets {
  constructor(private readonly log: Arrival[]) {
    super();
  }
  read<T>(work: (reader: AppendedOffsetsReader) => Promise<T>): Promise<T> {
    return work({
      firstAfter: async (instant) => {
        const first = this.log.findIndex((a) => a.appendedAt > instant);
        return new Map([[0, first === -1 ? this.log.length : first]]);
      },
      committed: async () => new Map(),
    });
  }
}

/** A repository that "crashes" (throws) at its n-th write: a step may have taken effect without being recorded. */
function crashingAt(real: LastHourRepository, n: number): LastHourRepository {
  let writes = 0;
  const crash = () => {
    if (++writes === n) throw new Error(`simulated crash at write ${n}`);
  };
  return Object.assign(Object.create(real), {
    runStep: async (minute: number, step: never) => (crash(), real.runStep(minute, step)),
    record: async (minute: number, step: never) => (crash(), real.record(minute, step)),
  }) as LastHourRepository;
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
  // How far ingestion trails the topic at this step: keeping up, a few minutes (a burst, a merge), or more than the
  // whole hour (an outage of ClickHouse's consumer). It never moves back: what was ingested stays ingested.
  ingestLagMs: fc.oneof(
    { weight: 10, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 * MINUTE_MS }) },
    { weight: 1, arbitrary: fc.integer({ min: 8 * MINUTE_MS, max: 75 * MINUTE_MS }) },
  ),
  serviceDown: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), // no refresh at this step (1 step in 7)
});

const at3 = (t: number) => toClickHouseDateTime64(new Date(t));

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
      fc.asyncProperty(
        fc.integer({ min: 20, max: 100 }),
        fc.array(stepArb, { minLength: 200, maxLength: 240 }),
        async (minutesBeforeMidnight, steps) => {
          const { database, config, clickhouse } = await migratedDatabase(base, baseConfig, 'lasthour');
          const repository = new LastHourRepository(clickhouse);
          const log: Arrival[] = [];
          const watermark = new IngestWatermark(repository, new ModelTopic(log));
          const newService = (repo = repository) => new LastHourService(repo, watermark, config); // a "restart": nothing kept in memory
          // And one scheduler that lives through the walk with a short list and few tracked videos, so that it ranks
          // from the state's top kept between steps (rankLastHour) and looks up videos outside it.
          const reads = { stateTop: 0, lookups: 0, refreshes: 0 };
          const counted = Object.assign(Object.create(repository), {
            stateTop: (n: number) => (reads.stateTop++, repository.stateTop(n)),
            stateViews: (videos: string[]) => ((reads.lookups += videos.length > 0 ? 1 : 0), repository.stateViews(videos)),
          }) as LastHourRepository;
          const kept = new LastHourService(counted, watermark, config);
          try {
            let ingestedCount = 0;
            const closedAtStep = new Map<number, number>();
            let now = realDayStart - minutesBeforeMidnight * MINUTE_MS - 17_123; // cross a day (and hour) boundary
            const walkStart = now;
            for (let s = 0; s < steps.length; s++) {
              const step = steps[s];
              const last = s === steps.length - 1;
              now += step.advanceMs;
              // The catalogue drifts with simulated time: every 5 minutes the 25 ids are replaced by 25 new ones, so a
              // walk of three hours or more sees far more videos than any one hour holds.
              const id = (video: number) => `v${video + Math.floor((now - walkStart) / (5 * MINUTE_MS)) * 25}`;
              for (const v of step.views)
                for (let i = 0; i < v.count; i++) log.push({ videoId: id(v.video), t: now - v.lateness, appendedAt: now });
              if (step.burst)
                for (let i = 0; i < step.burst.count; i++) log.push({ videoId: id(step.burst.video), t: now - 1, appendedAt: now });
              // Ingestion: every message appended at least ingestLagMs ago (all of them at the last step: caught up).
              const lagMs = last ? 0 : step.ingestLagMs;
              let through = ingestedCount;
              while (through < log.length && log[through].appendedAt <= now - lagMs) through++;
              if (through > ingestedCount) {
                await clickhouse.client.insert({
                  table: `${database}.views_parsed`,
                  format: 'JSONEachRow',
                  values: log.slice(ingestedCount, through).map((a, i) => ({
                    video_id: a.videoId,
                    event_time: at3(a.t),
                    error: '',
                    raw_message: '',
                    topic: 't',
                    partition: 0,
                    offset: ingestedCount + i,
                    appended_at: at3(a.appendedAt),
                  })),
                });
                ingestedCount = through;
              }
              if (step.serviceDown && !last) continue; // the service is down: time passes, views arrive, nothing runs
              const at = new Date(now);
              if (step.crashAtWrite !== null) {
                await newService(crashingAt(repository, step.crashAtWrite))
                  .refresh(at, MAX_K)
                  .catch(() => undefined);
              }
              const results = step.twoSchedulers
                ? await Promise.all([newService().refresh(at, MAX_K), newService().refresh(at, MAX_K)])
                : [await newService().refresh(at, MAX_K)];
              // Minutes this step closed: those of the window whose closing instant has passed by the clock and by
              // what is ingested (everything appended before the first message not yet ingested).
              const ingestedThrough = ingestedCount < log.length ? log[ingestedCount].appendedAt - 1 : Infinity;
              const { start } = lastHourWindow(at);
              for (let m = start.getTime(); m <= newestClosedMinute(Math.min(now, ingestedThrough), LATE_MS); m += MINUTE_MS) {
                if (!closedAtStep.has(m)) closedAtStep.set(m, s);
              }
              const expected = topK(recountLastHour(log.slice(0, ingestedCount), now), MAX_K);
              for (const result of results) {
                for (const k of [1, 10, 1000])
                  expect({ step: s, k, list: result.entries!.slice(0, k) }).toEqual({ step: s, k, list: expected.slice(0, k) });
              }
              const short = (await kept.refresh(at, 3, 4)).entries;
              reads.refreshes++;
              expect({ step: s, kept: short }).toEqual({ step: s, kept: expected.slice(0, 3) });
            }
            // The kept scheduler kept the state's top between steps (a minute closes at most steps of this walk, so
            // it reads it again at most of them), and looked videos outside it up.
            expect(reads.stateTop).toBeLessThan(reads.refreshes);
            expect(reads.lookups).toBeGreaterThan(0);
            // Every view was ingested by the end; some had been set aside as late, but not all.
            expect(ingestedCount).toBe(log.length);
            expect(log.some((a) => !onTime(a))).toBe(true);
            // The ledger: every minute that closed during the walk was snapshotted and added, and subtracted if it
            // has left the window since; no other minute has any step.
            const ledger = await clickhouse.select<{ minute: string; steps: string[] }>(
              'SELECT minute, arraySort(groupUniqArray(toString(step))) AS steps FROM {db:Identifier}.last_hour_ledger GROUP BY minute ORDER BY minute',
            );
            const windowStart = lastHourWindow(new Date(now)).start.getTime();
            const expectedLedger = [...closedAtStep.keys()]
              .sort((a, b) => a - b)
              .map((m) => ({
                minute: new Date(m).toISOString().replace('.000Z', 'Z'),
                steps: m < windowStart ? ['add', 'snapshot', 'subtract'] : ['add', 'snapshot'],
              }));
            expect(ledger).toEqual(expectedLedger);
            // The state holds one row per video with views in the closed minutes of the window, whatever has passed.
            await clickhouse.command('OPTIMIZE TABLE {db:Identifier}.views_last_hour FINAL');
            const [{ rows }] = await clickhouse.select<{ rows: string }>('SELECT count() AS rows FROM {db:Identifier}.views_last_hour');
            const closedOnly = recountLastHour(log, now, (minute) => closedAtStep.has(minute));
            expect(Number(rows)).toBe(closedOnly.size);
            expect(new Set(log.map((a) => a.videoId)).size).toBeGreaterThan(2 * Number(rows));
          } finally {
            await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
          }
        },
      ),
      { numRuns: 3, endOnFailure: true },
    );
  }, 600_000);
});
