// GET /videos/{videoId}/views against a brute-force recount, through real Kafka and real ClickHouse: every window's
// count and rank, for the top video, one far outside the top 1000, a non-ASCII id, an id with a slash, one with a quote,
// a backslash and a tab (bound on the lookups' own engine session, as SQL text twice escaped), and one never viewed;
// and a lookup that does not wait behind a parameterized query holding the embedded binding's chain.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { closingInstant, lastHourWindow, minuteStart } from '../src/top-k/last-hour';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { WINDOW_SPECS, WINDOWS } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus } from './support/ingest-status';
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
  /** last-hour counts the views that reached Kafka by their minute's end plus the tolerance. */
  let onTime: ViewEvent[];

  beforeAll(async () => {
    const name = uniqueName('video');
    ({ app } = await startApp({ ...isolated(name), RETENTION_HOUR_DAYS: '70' }, new ManualClock(new Date(realNow))));
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
});
