// Every window's top-K equals a brute-force recount of the same stream, through real Kafka and real ClickHouse.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { isRanked } from '../src/top-k/ranking';
import { closingInstant, lastHourWindow, minuteStart } from '../src/top-k/last-hour';
import { isTumbling, tumblingWindow, WINDOWS } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, readTopic, TEST_BROKERS, uniqueName, viewsIn } from './support/kafka';
import { expectedTopK, generateStream, toMessages, ViewEvent } from './support/stream';
import { ingestStatus } from './support/ingest-status';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('top-K exactness against a recount (real Kafka, real ClickHouse)', () => {
  // Event times are real recent times: ClickHouse's TTL follows the real clock, so the history must be recent.
  const realNow = Date.now();
  const hourStart = tumblingWindow('hour', new Date(realNow)).start.getTime();
  const dayStart = tumblingWindow('day', new Date(realNow)).start.getTime();
  const monthStart = tumblingWindow('month', new Date(realNow)).start.getTime();
  const previousMonthStart = tumblingWindow('month', new Date(monthStart - 1)).start.getTime();

  /** Chosen instants: now, earlier today or yesterday, the day before, the last minute of last month, mid last month. */
  const instants = [realNow, realNow - 3 * HOUR, dayStart - 1.5 * HOUR, monthStart - 60_000, monthStart - 15 * DAY + 7 * HOUR];
  const around = (t: number, weight: number) => ({ from: Math.max(previousMonthStart, t - HOUR), to: Math.min(realNow, t + 1), weight });

  const events: ViewEvent[] = generateStream({
    seed: 20261127,
    views: 100_000,
    videos: 12_000,
    segments: [
      { from: hourStart, to: realNow, weight: 20 },
      { from: dayStart, to: realNow, weight: 15 },
      { from: monthStart, to: realNow, weight: 15 },
      { from: previousMonthStart, to: realNow, weight: 30 },
      ...instants.slice(1).map((t) => around(t, 5)),
    ],
    ties: [
      // Equal counts at the very top of the current hour, day, month and all-time (10k each beats the Zipf head
      // even just after midnight on the 1st, when the hour, day and month segments all overlap)...
      { videoIds: ['tie-b', 'tie-a', 'tie-c'], views: 10_000, at: Math.max(hourStart, realNow - 1000) },
      // ...and at the top of last month, seen from its last minute.
      { videoIds: ['old-tie-y', 'old-tie-x'], views: 9000, at: monthStart - 2 * HOUR },
    ],
  });

  let app: NestFastifyApplication;
  let clock: ManualClock;
  let clickhouse: ClickHouseService;
  /** last-hour counts the views that reached Kafka by their minute's end plus the tolerance: read back with append times. */
  let onTime: ViewEvent[] = [];

  beforeAll(async () => {
    const name = uniqueName('exact');
    clock = new ManualClock(new Date(realNow));
    ({ app } = await startApp({ ...isolated(name), RETENTION_HOUR_DAYS: '70' }, clock));
    clickhouse = app.get(ClickHouseService);
  });

  afterAll(async () => {
    await clickhouse?.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app?.close();
  });

  it('answers 503, not an empty list, before the first computation', async () => {
    const response = await app.inject({ method: 'GET', url: '/views/top-k?window=hour&k=10' });
    expect(response.statusCode).toBe(503);
  });

  it('counts every produced view once, with no dead letters', async () => {
    const { topic } = app.get<AppConfig>(APP_CONFIG).kafka;
    await produce(topic, toMessages(events, 200));
    await waitFor(`${events.length} views counted`, async () => (await ingestStatus(app)).viewsCounted >= events.length);
    const status = await ingestStatus(app);
    expect(status.viewsCounted).toBe(events.length);
    expect(status.deadLetters).toBe(0);
    const read = viewsIn(await readTopic(TEST_BROKERS.join(','), topic));
    expect(read.length).toBe(events.length);
    onTime = read.filter((v) => v.appendedAt <= closingInstant(minuteStart(v.t), 30_000));
    expect(onTime.length).toBeGreaterThan(0); // the current minute's views, at least
    expect(onTime.length).toBeLessThan(events.length); // and most of the hour's were produced too late for it
  });

  it.each(instants.map((t, i) => [i, new Date(t).toISOString()]))('instant #%i (%s): every window and k equals the recount', async (i) => {
    clock.instant = new Date(instants[i as number]);
    await app.get(PrecomputeService).refresh();
    // last-hour follows the clock forward only (its state cannot be rolled back): checked at the first instant, as
    // the recount of the 60 minutes' views that reached Kafka on time.
    for (const window of i === 0 ? WINDOWS : WINDOWS.filter((w) => w !== 'last-hour')) {
      const interval =
        window === 'last-hour' ? lastHourWindow(clock.instant) : isTumbling(window) ? tumblingWindow(window, clock.instant) : undefined;
      for (const k of [1, 10, 1000]) {
        const response = await app.inject({ method: 'GET', url: `/views/top-k?window=${window}&k=${k}` });
        expect(response.statusCode).toBe(200);
        const body = response.json();
        const expected = expectedTopK(window === 'last-hour' ? onTime : events, k, interval);
        expect({ window, k, body }).toEqual({ window, k, body: expected });
        expect(isRanked(body)).toBe(true);
        expect(response.headers['x-computed-at']).toBe(clock.instant.toISOString());
        expect(response.headers['x-window-start']).toBe(interval?.start.toISOString());
        expect(response.headers['x-window-end']).toBe(interval?.end.toISOString());
      }
    }
  });

  it('the stream really exercises what the recount checks: full lists, ties at the top, non-ASCII ids', () => {
    const now = new Date(realNow);
    expect(expectedTopK(events, 1000).length).toBe(1000);
    expect(expectedTopK(events, 1000, tumblingWindow('month', now)).length).toBe(1000);
    expect(expectedTopK(events, 3, tumblingWindow('hour', now)).map((e) => e.videoId)).toEqual(['tie-a', 'tie-b', 'tie-c']);
    const lastMonth = tumblingWindow('month', new Date(monthStart - 60_000));
    expect(expectedTopK(events, 2, lastMonth).map((e) => e.videoId)).toEqual(['old-tie-x', 'old-tie-y']);
    const allTime = expectedTopK(events, 1000);
    expect(allTime.some((e) => [...e.videoId].some((c) => c.codePointAt(0)! > 0x7f))).toBe(true);
    expect(new Set(allTime.map((e) => e.views)).size).toBeLessThan(allTime.length);
  });
});
