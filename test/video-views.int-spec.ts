// GET /videos/{videoId}/views against a brute-force recount, through real Kafka and real ClickHouse: every window's
// count and rank, for the top video, one far outside the top 1000, a non-ASCII id, an id with a slash, one with a quote,
// a backslash and a tab (bound on the lookups' own engine session, as SQL text twice escaped), and one never viewed;
// and a lookup that does not wait behind a parameterized query holding the embedded binding's chain. Then
// GET /videos/{videoId}/views/series, every grain against the same recount, at both edges of each grain's retention
// and across hour, day and month boundaries, and its bad inputs. Last (it adds views and moves the clock an hour on),
// GET /views/top-k?movement=true: each entry's rank in the previous window's recount, or in the list served an hour ago.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { closingInstant, lastHourWindow, minuteStart } from '../src/top-k/last-hour';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { PreviousListsService } from '../src/top-k/previous-lists.service';
import { RankedVideo } from '../src/top-k/ranking';
import { TumblingWindow, tumblingWindow, WINDOW_SPECS, WINDOWS } from '../src/top-k/windows';
import { addBuckets, bucketStart, earliestBucket, Grain, GRAINS } from '../src/videos/series';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus } from './support/ingest-status';
import { SseClient } from './support/sse';
import { produce, readTopic, TEST_BROKERS, uniqueName, viewsIn } from './support/kafka';
import { expectedTopK, generateStream, recount, toMessages, ViewEvent } from './support/stream';

const HOUR = 3_600_000;
/** Every character that the session binding escapes, once as parameter text and once as a SQL string. */
const HOSTILE = "o'brien\\clip\t'; --";
const DAY = 24 * HOUR;

describe("one video's numbers against a recount (real Kafka, real ClickHouse)", () => {
  const realNow = Date.now();
  const events: ViewEvent[] = generateStream({
    seed: 20261204,
    views: 40_000,
    videos: 9000,
    segments: [
      { from: realNow - 40 * 60_000, to: realNow, weight: 30 },
      { from: realNow - 3 * HOUR, to: realNow, weight: 20 },
      { from: realNow - 2 * DAY, to: realNow, weight: 20 },
      { from: realNow - 40 * DAY, to: realNow, weight: 30 },
    ],
    ties: [{ videoIds: ['a/b?c=d', 'vidé-top', HOSTILE], views: 3000, at: realNow - 1000 }],
  });

  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;
  let clock: ManualClock;
  /** last-hour counts the views that reached Kafka by their minute's end plus the tolerance. */
  let onTime: ViewEvent[];

  beforeAll(async () => {
    const name = uniqueName('video');
    clock = new ManualClock(new Date(realNow));
    ({ app } = await startApp({ ...isolated(name), RETENTION_HOUR_DAYS: '70' }, clock));
    clickhouse = app.get(ClickHouseService);
    const { topic } = app.get<AppConfig>(APP_CONFIG).kafka;
    await produce(topic, toMessages(events, 100));
    await waitFor(`${events.length} views counted`, async () => (await ingestStatus(app)).viewsCounted >= events.length);
    onTime = viewsIn(await readTopic(TEST_BROKERS.join(','), topic)).filter(
      (v) => v.appendedAt <= closingInstant(minuteStart(v.t), 30_000),
    );
    await app.get(PrecomputeService).refresh();
  });

  afterAll(async () => {
    await clickhouse?.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app?.close();
  });

  const get = (videoId: string) => app.inject({ method: 'GET', url: `/videos/${encodeURIComponent(videoId)}/views` });

  it('every window: the count equals the recount, the rank its place in the recounted top 1000', async () => {
    const now = new Date(realNow);
    const allTime = expectedTopK(events, 100_000);
    const candidates = [
      'a/b?c=d',
      'vidé-top',
      HOSTILE,
      allTime[0].videoId,
      allTime[1500].videoId,
      allTime[allTime.length - 1].videoId,
      'never-viewed',
    ];
    let ranked = 0;
    let unranked = 0;
    // All at once: the first is looked up alone, the others together in one lookup (LookupBatches).
    const responses = await Promise.all(candidates.map(get));
    for (const [i, videoId] of candidates.entries()) {
      const response = responses[i];
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.videoId).toBe(videoId);
      expect(body.at).toBe(now.toISOString());
      expect(body.windows.map((w: { window: string }) => w.window)).toEqual(WINDOWS);
      for (const entry of body.windows) {
        const interval = entry.window === 'last-hour' ? lastHourWindow(now) : WINDOW_SPECS[entry.window as 'hour'].intervalAt(now);
        const source = entry.window === 'last-hour' ? onTime : events;
        const views = recount(source, interval).get(videoId) ?? 0;
        const place = expectedTopK(source, 1000, interval).findIndex((e) => e.videoId === videoId);
        const rank = place < 0 ? null : place + 1;
        expect({ videoId, window: entry.window, views: entry.views, rank: entry.rank, inTop1000: entry.inTop1000 }).toEqual({
          videoId,
          window: entry.window,
          views,
          rank,
          inTop1000: rank !== null,
        });
        expect(entry.start).toBe(interval?.start.toISOString());
        if (rank === null) unranked++;
        else ranked++;
      }
    }
    // The candidates really cover both answers, and a video never viewed is all zeros, not a 404.
    expect(ranked).toBeGreaterThan(5);
    expect(unranked).toBeGreaterThan(5);
    const never = (await get('never-viewed')).json();
    expect(never.windows.every((w: { views: number; rank: null }) => w.views === 0 && w.rank === null)).toBe(true);
  });

  it("answers a lookup while a parameterized query holds the embedded binding's chain, not after it", async () => {
    // The refresh's queries (and this one) go through the binding's process-wide chain, one at a time; a lookup binds
    // its parameters on a session of its own and runs beside them.
    let chainHeldUntil = 0;
    const long = clickhouse
      .select('SELECT sum(cityHash64(number)) AS s FROM numbers({n:UInt64}) SETTINGS max_threads = 1, max_execution_time = 30', {
        n: 3_000_000_000,
      })
      .catch(() => undefined)
      .then(() => (chainHeldUntil = Date.now()));
    await new Promise((r) => setTimeout(r, 300));
    // A video not asked for before: its answer cannot come from those kept in memory, only from a lookup.
    const videoId = expectedTopK(events, 10)[7].videoId;
    const response = await get(videoId);
    const answeredAt = Date.now();
    expect(response.statusCode).toBe(200);
    expect(response.json().windows.find((w: { window: string }) => w.window === 'all-time').views).toBe(recount(events).get(videoId));
    expect({ answeredWhileHeld: chainHeldUntil === 0 }).toEqual({ answeredWhileHeld: true });
    await long;
    expect(chainHeldUntil).toBeGreaterThanOrEqual(answeredAt);
  });

  it('a videoId that could never be one is a 400 naming videoId', async () => {
    const long = await get('x'.repeat(257));
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toEqual(['videoId is longer than 256 bytes']);
    // The longest valid id, every byte percent-encoded, still reaches the handler.
    expect((await get('é'.repeat(128))).statusCode).toBe(200);
    // Bytes that are not UTF-8 (here a UTF-16 surrogate's) cannot be decoded: Fastify's own 400 names the path.
    const notUtf8 = await app.inject({ method: 'GET', url: '/videos/%ED%A0%80/views' });
    expect(notUtf8.statusCode).toBe(400);
    expect(notUtf8.json().message).toBe("'/videos/%ED%A0%80/views' is not a valid url component");
  });

  describe('views per bucket: GET /videos/{videoId}/views/series', () => {
    const now = () => new Date(realNow);
    const retention = { minuteHours: 3, hourDays: 70, monthMonths: 13 };
    const series = (videoId: string, query: Record<string, string>) =>
      app.inject({ method: 'GET', url: `/videos/${encodeURIComponent(videoId)}/views/series?${new URLSearchParams(query)}` });
    /** The recount of one video's views in every bucket from `first` through `last`, zeros included. */
    const expected = (videoId: string, grain: Grain, first: Date, last: Date) => {
      const counts = new Map<number, number>();
      for (const e of events)
        if (e.videoId === videoId) {
          const bucket = bucketStart(grain, new Date(e.t)).getTime();
          counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
        }
      const buckets = [];
      for (let start = first; start.getTime() <= last.getTime(); start = addBuckets(grain, start, 1))
        buckets.push({ start: start.toISOString(), views: counts.get(start.getTime()) ?? 0 });
      return buckets;
    };
    const watched = () => ['a/b?c=d', HOSTILE, expectedTopK(events, 1)[0].videoId, 'never-viewed'];

    it('at the oldest bucket kept, each grain equals the recount; a millisecond older is a 400 naming from', async () => {
      // First, so that the oldest minute is read well before the real clock (ClickHouse's TTL) reaches its expiry.
      for (const grain of GRAINS) {
        const earliest = earliestBucket(grain, now(), retention);
        // Hours kept (70 days) exceed the 1,500 buckets of an answer: end those ranges 1,000 hours in.
        const to = grain === 'hour' ? addBuckets('hour', earliest, 999) : now();
        for (const videoId of watched()) {
          const response = await series(videoId, { grain, from: earliest.toISOString(), to: to.toISOString() });
          expect(response.statusCode).toBe(200);
          const body = response.json();
          expect({ grain, videoId, from: body.from, buckets: body.buckets }).toEqual({
            grain,
            videoId,
            from: earliest.toISOString(),
            buckets: expected(videoId, grain, earliest, bucketStart(grain, to)),
          });
        }
        const older = await series('a/b?c=d', { grain, from: new Date(earliest.getTime() - 1).toISOString() });
        expect(older.statusCode).toBe(400);
        expect(older.json().message).toEqual([
          `from ${new Date(earliest.getTime() - 1).toISOString()} is older than the ${grain} counts kept: for grain=${grain} it must be between ${earliest.toISOString()} and ${now().toISOString()} (now)`,
        ]);
      }
    });

    it('by default the last 60 minutes, 48 hours, 35 days and 13 months, the open bucket last, equal to the recount', async () => {
      const sizes = { minute: 60, hour: 48, day: 35, month: 13 };
      let viewed = 0;
      for (const grain of GRAINS) {
        const last = bucketStart(grain, now());
        const first = addBuckets(grain, last, -(sizes[grain] - 1));
        for (const videoId of watched()) {
          const response = await series(videoId, grain === 'minute' ? {} : { grain });
          expect(response.statusCode).toBe(200);
          expect(response.headers['cache-control']).toBe('no-cache');
          const body = response.json();
          expect(body).toEqual({
            videoId,
            grain,
            from: first.toISOString(),
            to: addBuckets(grain, last, 1).toISOString(),
            at: now().toISOString(),
            final: false,
            buckets: expected(videoId, grain, first, last),
          });
          viewed += body.buckets.filter((b: { views: number }) => b.views > 0).length;
        }
      }
      // The ranges held views (a month and a day boundary lie inside the 35 days, hour boundaries inside the 48 hours).
      expect(viewed).toBeGreaterThan(40);
    });

    it('a range that ended before the late tolerance, with everything ingested, is final and cacheable', async () => {
      const videoId = expectedTopK(events, 1)[0].videoId;
      // Across a day boundary: 22:00 two days ago to 02:00 yesterday.
      const from = new Date(bucketStart('day', now()).getTime() - 26 * HOUR);
      const to = new Date(from.getTime() + 4 * HOUR - 1);
      const response = await series(videoId, { grain: 'hour', from: from.toISOString(), to: to.toISOString() });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.json()).toMatchObject({ final: true, buckets: expected(videoId, 'hour', from, bucketStart('hour', to)) });
    });

    it('many videos in one request (GET /views/series): each equals the recount, in the order asked; bad ones name videoId', async () => {
      const many = (videoIds: string[], query: Record<string, string>) =>
        app.inject({
          method: 'GET',
          url: `/views/series?${new URLSearchParams([...videoIds.map((id): [string, string] => ['videoId', id]), ...Object.entries(query)])}`,
        });
      // The hour's top 100 (the leaderboard's rows), the hostile ids, one never viewed, one asked twice.
      const top = expectedTopK(events, 100, tumblingWindow('hour', now())).map((e) => e.videoId);
      const videoIds = [...new Set([...watched(), ...top])].slice(0, 100);
      for (const [grain, query] of [
        ['minute', {}],
        ['day', { grain: 'day', from: new Date(realNow - 3 * DAY).toISOString() }],
      ] as [Grain, Record<string, string>][]) {
        const response = await many([...videoIds, videoIds[5]], query);
        expect(response.statusCode).toBe(200);
        const body = response.json();
        const first = new Date(body.from);
        const last = bucketStart(grain, now());
        expect(body.videos.map((v: { videoId: string }) => v.videoId)).toEqual(videoIds);
        expect(body.starts).toEqual(expected('never-viewed', grain, first, last).map((b) => b.start));
        for (const [i, videoId] of videoIds.entries())
          expect({ videoId, views: body.videos[i].views }).toEqual({
            videoId,
            views: expected(videoId, grain, first, last).map((b) => b.views),
          });
        // The same numbers as one video's answer.
        const one = (await series(top[0], query)).json();
        expect(body.videos[videoIds.indexOf(top[0])].views).toEqual(one.buckets.map((b: { views: number }) => b.views));
        expect({ final: body.final, from: body.from, to: body.to }).toEqual({ final: one.final, from: one.from, to: one.to });
      }
      const cases: [string[], Record<string, string>, string][] = [
        [[], {}, 'videoId must be given, once per video (videoId=a&videoId=b), 1 to 100 videos'],
        [Array.from({ length: 101 }, (_, i) => `v${i}`), {}, 'videoId names 101 videos, at most 100 in one request'],
        [['a', 'x'.repeat(257)], {}, 'videoId #2 is longer than 256 bytes'],
        [['a', ''], {}, 'videoId #2 must not be empty'],
        [['a'], { grain: 'week' }, 'grain must be one of: minute, hour, day, month'],
      ];
      for (const [ids, query, message] of cases) {
        const response = await many(ids, query);
        expect({ status: response.statusCode, message: response.json().message }).toEqual({ status: 400, message: [message] });
      }
    });

    it('bad inputs are 400s naming the parameter', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ grain: 'week' }, 'grain must be one of: minute, hour, day, month'],
        [{ from: 'yesterday' }, 'from must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z'],
        [{ to: '2026-13-01T00:00:00Z' }, 'to must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z'],
        [
          { to: new Date(realNow + 1000).toISOString() },
          `to ${new Date(realNow + 1000).toISOString()} is in the future: for grain=minute it must be between ${earliestBucket('minute', now(), retention).toISOString()} and ${now().toISOString()} (now)`,
        ],
        [
          { grain: 'day', from: new Date(realNow - DAY).toISOString(), to: new Date(realNow - 2 * DAY).toISOString() },
          `from ${new Date(realNow - DAY).toISOString()} is after to ${new Date(realNow - 2 * DAY).toISOString()}`,
        ],
        [{ unknown: '1' }, 'property unknown should not exist'],
      ];
      for (const [query, message] of cases) {
        const response = await series('a/b?c=d', query);
        expect({ query, status: response.statusCode, message: response.json().message }).toEqual({
          query,
          status: 400,
          message: [message],
        });
      }
      const tooMany = await series('a/b?c=d', { grain: 'hour', from: new Date(realNow - 65 * DAY).toISOString() });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().message[0]).toMatch(/^from .* spans 1\d{3} hour buckets, at most 1500: for this to, from must be at or after /);
      expect((await series('x'.repeat(257), {})).json().message).toEqual(['videoId is longer than 256 bytes']);
    });
  });

  describe('where each entry stood before: GET /views/top-k?movement=true', () => {
    const withMovement = (current: RankedVideo[], previous: RankedVideo[]) => {
      const ranks = new Map(previous.map((entry, i) => [entry.videoId, i + 1]));
      return current.map((entry) => ({ ...entry, previousRank: ranks.get(entry.videoId) ?? null }));
    };
    const top = (query: string) => app.inject({ method: 'GET', url: `/views/top-k?k=1000&${query}` });
    /** Both kinds of entries are there: some were in the previous list, some were not. */
    const expectBoth = (body: { previousRank: number | null }[]) => {
      expect(body.filter((e) => e.previousRank === null).length).toBeGreaterThan(0);
      expect(body.filter((e) => e.previousRank !== null).length).toBeGreaterThan(0);
    };

    it("hour, day and month: each entry's rank in the previous window's recount; with at=, in the window before it", async () => {
      const now = clock.instant;
      // Loaded with the service, in the background, as the refresh publishes: by the first read (no read waited for
      // them; a read that came first would get a 503 to retry).
      await app.get(PrecomputeService).refresh();
      await app.get(PreviousListsService).settled();
      for (const window of ['hour', 'day', 'month'] as TumblingWindow[]) {
        const current = tumblingWindow(window, now);
        const previous = tumblingWindow(window, new Date(current.start.getTime() - 1));
        const response = await top(`window=${window}&movement=true`);
        expect({ window, status: response.statusCode }).toEqual({ window, status: 200 });
        const body = response.json();
        expect(body).toEqual(withMovement(expectedTopK(events, 1000, current), expectedTopK(events, 1000, previous)));
        if (window !== 'month') expectBoth(body);
        expect(response.headers['x-previous-computed-at']).toBe(now.toISOString());
      }
      const day = tumblingWindow('day', new Date(realNow - 3 * DAY));
      const dayBefore = tumblingWindow('day', new Date(day.start.getTime() - 1));
      const past = await top(`window=day&at=${day.start.toISOString()}&movement=true`);
      expect(past.json()).toEqual(withMovement(expectedTopK(events, 1000, day), expectedTopK(events, 1000, dayBefore)));
      expectBoth(past.json());
      // Off by default: the body is the list as it always was; a bad value is a 400 naming movement.
      expect((await top('window=hour')).body).toBe(JSON.stringify(expectedTopK(events, 1000, tumblingWindow('hour', now))));
      const bad = await top('window=hour&movement=yes');
      expect({ status: bad.statusCode, message: bad.json().message }).toEqual({ status: 400, message: ['movement must be true or false'] });
    });

    it("last-hour and all-time: each entry's rank in the list served an hour ago, on the stream too", async () => {
      // What the refresh in beforeAll served at realNow is, an hour on, the list one hour ago.
      const served = { 'last-hour': expectedTopK(onTime, 1000, lastHourWindow(new Date(realNow))), 'all-time': expectedTopK(events, 1000) };
      // Then more views, some in the hour ahead (on time for the sliding hour then), other videos at the top.
      const more = generateStream({
        seed: 20261207,
        views: 20_000,
        videos: 3000,
        segments: [
          { from: realNow - 30 * 60_000, to: realNow, weight: 1 },
          { from: realNow + 2 * 60_000, to: realNow + 60 * 60_000, weight: 3 },
        ],
      });
      const { topic } = app.get<AppConfig>(APP_CONFIG).kafka;
      await produce(topic, toMessages(more, 100));
      const all = [...events, ...more];
      await waitFor(`${all.length} views counted`, async () => (await ingestStatus(app)).viewsCounted >= all.length);
      clock.instant = new Date(realNow + 61 * 60_000);
      await app.get(PrecomputeService).refresh();
      const nowOnTime = viewsIn(await readTopic(TEST_BROKERS.join(','), topic)).filter(
        (v) => v.appendedAt <= closingInstant(minuteStart(v.t), 30_000),
      );
      const expected = {
        'last-hour': withMovement(expectedTopK(nowOnTime, 1000, lastHourWindow(clock.instant)), served['last-hour']),
        'all-time': withMovement(expectedTopK(all, 1000), served['all-time']),
      };
      await app.listen(0, '127.0.0.1');
      for (const window of ['last-hour', 'all-time'] as const) {
        await app.get(PreviousListsService).ready(window, undefined);
        const response = await top(`window=${window}&movement=true`);
        expect({ window, status: response.statusCode }).toEqual({ window, status: 200 });
        expect(response.json()).toEqual(expected[window]);
        expectBoth(response.json());
        expect(response.headers['x-previous-computed-at']).toBe(new Date(realNow).toISOString());
        const stream = await SseClient.open(`${await app.getUrl()}/views/top-k/stream?window=${window}&k=1000&movement=true`);
        try {
          await waitFor('the first event', async () => stream.lists().length > 0, 10_000, 50);
          expect(stream.lists()[0].body).toEqual(expected[window]);
          expect(stream.lists()[0].headers['X-Previous-Computed-At']).toBe(new Date(realNow).toISOString());
        } finally {
          stream.destroy();
        }
      }
    });
  });
});
