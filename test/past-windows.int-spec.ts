// Past windows (GET /views/top-k?at=…) against a brute-force recount, through real Kafka and real ClickHouse: hour, day
// and month boundaries, the retention edges, final lists that stay byte-identical when a late view arrives, and a
// burst of past windows that the queue bounds.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LightMyRequestResponse } from 'fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../src/clickhouse/params';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { Interval, TumblingWindow, tumblingWindow } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus, rolledUp } from './support/ingest-status';
import { produce, uniqueName } from './support/kafka';
import { expectedTopK, generateStream, toMessages, ViewEvent } from './support/stream';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('past windows against a recount (real Kafka, real ClickHouse)', () => {
  // Real recent event times: ClickHouse's TTL follows the real clock.
  const realNow = Date.now();
  const hourStart = tumblingWindow('hour', new Date(realNow)).start.getTime();
  const dayStart = tumblingWindow('day', new Date(realNow)).start.getTime();
  const monthStart = tumblingWindow('month', new Date(realNow)).start.getTime();
  const previousMonthStart = tumblingWindow('month', new Date(monthStart - 1)).start.getTime();
  const capped = (t: number) => Math.min(realNow, t);

  const events: ViewEvent[] = generateStream({
    seed: 20261203,
    views: 60_000,
    videos: 8000,
    segments: [
      { from: hourStart - 26 * HOUR, to: realNow, weight: 40 },
      { from: dayStart - 2 * DAY, to: capped(dayStart + HOUR), weight: 20 },
      { from: previousMonthStart, to: capped(monthStart + 2 * HOUR), weight: 25 },
      // Across the start of last month: the views before it belong to the month before, which is not kept here.
      { from: previousMonthStart - 2 * DAY, to: previousMonthStart + DAY, weight: 15 },
    ],
    ties: [
      // Equal counts at the top of the previous hour, in its last millisecond...
      { videoIds: ['ph-tie-b', 'ph-tie-a'], views: 6000, at: hourStart - 1 },
      // ...and a video whose views are all in the first millisecond of this hour: never in the previous one.
      { videoIds: ['this-hour'], views: 7000, at: hourStart },
      { videoIds: ['lm-tie-y', 'lm-tie-x'], views: 5000, at: previousMonthStart },
    ],
  });

  let app: NestFastifyApplication;
  let clock: ManualClock;
  let clickhouse: ClickHouseService;
  let topic: string;
  const get = (window: TumblingWindow, at: number | string, k = 1000) =>
    app.inject({
      method: 'GET',
      url: `/views/top-k?window=${window}&k=${k}&at=${encodeURIComponent(typeof at === 'number' ? new Date(at).toISOString() : at)}`,
    });
  const expectRecount = (response: LightMyRequestResponse, window: TumblingWindow, interval: Interval, k = 1000) => {
    expect({ window, start: interval.start, status: response.statusCode }).toEqual({ window, start: interval.start, status: 200 });
    expect(response.body).toBe(JSON.stringify(expectedTopK(events, k, interval)));
    expect(response.headers['x-window']).toBe(window);
    expect(response.headers['x-window-start']).toBe(interval.start.toISOString());
    expect(response.headers['x-window-end']).toBe(interval.end.toISOString());
  };

  beforeAll(async () => {
    const name = uniqueName('past');
    clock = new ManualClock(new Date(realNow));
    // Two months kept, so that the month before last is past the month table's retention; a cache of four, small
    // enough for the test to push a window out of it (the queue is PAST_WINDOW_QUEUE, eight: the burst below is 14).
    ({ app } = await startApp(
      { ...isolated(name), RETENTION_HOUR_DAYS: '70', RETENTION_MONTH_MONTHS: '2', PAST_WINDOW_CACHE: '4' },
      clock,
    ));
    clickhouse = app.get(ClickHouseService);
    topic = app.get<AppConfig>(APP_CONFIG).kafka.topic;
    await produce(topic, toMessages(events, 200));
    await waitFor(`${events.length} views counted`, async () => (await ingestStatus(app)).viewsCounted >= events.length);
    expect((await ingestStatus(app)).viewsCounted).toBe(events.length);
    await rolledUp(app, events.length);
  });

  afterAll(async () => {
    await clickhouse?.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app?.close();
  });

  const previousHour = tumblingWindow('hour', new Date(hourStart - 1));

  it('a window closed less than the late tolerance ago is its recount, not final yet', async () => {
    clock.instant = new Date(hourStart + 10_000);
    const response = await get('hour', hourStart - 1);
    expectRecount(response, 'hour', previousHour);
    expect(response.headers['x-window-final']).toBe('false');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  let finalBody: string;
  let finalHeaders: Record<string, unknown>;

  it('past hours, days and months equal the recount at every boundary, final and cacheable for good', async () => {
    clock.instant = new Date(Math.max(realNow, hourStart + 31_000));
    const cases: [TumblingWindow, number][] = [
      ['hour', hourStart - 1],
      ['hour', hourStart - 2 * HOUR],
      ['day', dayStart - 1],
      ['day', dayStart - DAY - 12 * HOUR],
      ['month', monthStart - 1],
      ['month', previousMonthStart],
    ];
    for (const [window, at] of cases) {
      const interval = tumblingWindow(window, new Date(at));
      for (const k of [10, 1000]) {
        const response = await get(window, at, k);
        expectRecount(response, window, interval, k);
        expect(response.headers['x-window-final']).toBe('true');
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(response.headers['x-computed-at']).toBe(clock.instant.toISOString());
      }
    }
    const previous = await get('hour', hourStart - 1);
    expect(previous.json().slice(0, 2)).toEqual([
      { videoId: 'ph-tie-a', views: expect.any(Number) },
      { videoId: 'ph-tie-b', views: expect.any(Number) },
    ]);
    expect(previous.json().some((e: { videoId: string }) => e.videoId === 'this-hour')).toBe(false);
    finalBody = previous.body;
    finalHeaders = previous.headers;
  });

  it('an instant of the current window gives the current list; the future and the expired are 400s naming at', async () => {
    await app.get(PrecomputeService).refresh();
    const now = clock.instant.getTime();
    for (const window of ['hour', 'day', 'month'] as const) {
      const current = await app.inject({ method: 'GET', url: `/views/top-k?window=${window}&k=1000` });
      const viaAt = await get(window, now);
      expect(viaAt.statusCode).toBe(200);
      expect(viaAt.body).toBe(current.body);
      expect(viaAt.headers['x-window-final']).toBeUndefined();
      expect(viaAt.body).toBe(JSON.stringify(expectedTopK(events, 1000, tumblingWindow(window, clock.instant))));
    }
    const future = await get('day', now + 1);
    expect(future.statusCode).toBe(400);
    expect(future.json().message[0]).toMatch(/^at .* is in the future: for window=day it must be between /);
    // Two months kept: last month is the oldest, from its first instant.
    const tooOld = await get('month', previousMonthStart - 1);
    expect(tooOld.statusCode).toBe(400);
    expect(tooOld.json().message).toEqual([
      `at ${new Date(previousMonthStart - 1).toISOString()} is older than the month counts kept: for window=month it must be between ` +
        `${new Date(previousMonthStart).toISOString()} and ${clock.instant.toISOString()} (now)`,
    ]);
  });

  it('the retention edge of hours: the oldest hour still kept answers, the one before is a 400', async () => {
    const saved = clock.instant;
    // 70 days on: the previous hour's rows expired half an hour ago, this hour's expire in half an hour.
    clock.instant = new Date(previousHour.start.getTime() + 70 * DAY + 30 * 60_000);
    const expired = await get('hour', hourStart - 1);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().message[0]).toContain(`must be between ${new Date(hourStart).toISOString()} and`);
    const oldest = await get('hour', hourStart);
    expectRecount(oldest, 'hour', tumblingWindow('hour', new Date(hourStart)));
    expect(oldest.headers['x-window-final']).toBe('true');
    // Days expire by the same setting, counted from the day's start: the oldest day kept is the first midnight
    // within 70 days of the clock.
    const oldestDay = Math.floor((clock.instant.getTime() - 70 * DAY) / DAY) * DAY + DAY;
    const expiredDay = await get('day', oldestDay - 1);
    expect(expiredDay.statusCode).toBe(400);
    expect(expiredDay.json().message[0]).toContain(`must be between ${new Date(oldestDay).toISOString()} and`);
    expectRecount(await get('day', oldestDay), 'day', tumblingWindow('day', new Date(oldestDay)));
    clock.instant = saved;
  });

  it('a final list stays byte-identical when late views arrive, from memory and from its store', async () => {
    // Enough late views to top the previous hour, were it still counted.
    const late = Array.from({ length: 100 }, () => JSON.stringify({ video_id: 'late-video', ts: hourStart - 60_000 }));
    await produce(topic, [late.join('\n')]);
    await waitFor('the late views counted', async () => (await ingestStatus(app)).viewsCounted >= events.length + 100);
    // The counting table has moved on (analysts see the late views, once rolled up)...
    const counted = () =>
      clickhouse.select<{ v: string }>(
        "SELECT toString(sum(views)) AS v FROM {db:Identifier}.views_by_hour WHERE hour = {h:DateTime('UTC')} AND video_id = 'late-video'",
        { h: toClickHouseDateTime(previousHour.start) },
      );
    await waitFor('the late views rolled up', async () => Number((await counted())[0]?.v ?? 0) >= 100, 30_000);
    expect(await counted()).toEqual([{ v: '100' }]);
    // ...and the final list has not.
    const fromMemory = await get('hour', hourStart - 1);
    expect(fromMemory.body).toBe(finalBody);
    // Other windows push it out of the cache of four: it is read back from topk_final.
    for (let i = 3; i <= 7; i++) expect((await get('hour', hourStart - i * HOUR)).statusCode).toBe(200);
    const fromStore = await get('hour', hourStart - 1);
    expect(fromStore.body).toBe(finalBody);
    for (const header of ['x-computed-at', 'x-window-start', 'x-window-end', 'x-window-final', 'cache-control']) {
      expect(fromStore.headers[header]).toBe(finalHeaders[header]);
    }
  });

  it('a burst of many past windows gets 429s with Retry-After past the queue, never a 5xx; what it serves is exact', async () => {
    // The same uncached window asked for ten times at once is one computation: all ten get it.
    const same = await Promise.all(Array.from({ length: 10 }, () => get('hour', hourStart - 9 * HOUR)));
    for (const response of same) expectRecount(response, 'hour', tumblingWindow('hour', new Date(hourStart - 9 * HOUR)));
    const hours = Array.from({ length: 14 }, (_, i) => hourStart - (10 + i) * HOUR);
    const responses = await Promise.all(hours.map((at) => get('hour', at)));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`viewrank_past_windows_refused_total ${statuses.filter((s) => s === 429).length}\n`);
    expect(metrics).toContain('viewrank_past_windows_queued 0\n');
    responses.forEach((response, i) => {
      if (response.statusCode === 429) {
        expect(response.headers['retry-after']).toBe('1');
        expect(response.json().message).toMatch(/past windows are being computed/);
      } else {
        expectRecount(response, 'hour', tumblingWindow('hour', new Date(hours[i])));
      }
    });
  });
});
