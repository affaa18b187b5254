// last-hour through real Kafka and ClickHouse: as the clock advances, a burst drops out exactly 60 minutes later;
// views that reach Kafka after their minute's end plus the tolerance are set aside, and the metric counts them.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { MINUTE_MS, minuteStart } from '../src/top-k/last-hour';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { topicTimestampType } from '../src/kafka/kafka-topic';
import { produce, TEST_BROKERS, uniqueName } from './support/kafka';
import { ingestStatus } from './support/ingest-status';

describe('last-hour rolling forward (real Kafka, real ClickHouse)', () => {
  const realNow = Date.now();
  // A 5-minute tolerance, so that views of the last few minutes produced now are on time by Kafka's append time.
  const tolerance = 5 * MINUTE_MS;
  const burstMinute = minuteStart(realNow) - 3 * MINUTE_MS;
  const earlierMinute = burstMinute - MINUTE_MS;
  // Ended 9 or more minutes before anything is produced: too late for last-hour, whenever it reaches Kafka.
  const lateMinute = minuteStart(realNow) - 10 * MINUTE_MS;
  const name = uniqueName('roll');
  let app: NestFastifyApplication;
  const clock = new ManualClock(new Date(realNow));

  const lastHour = async (at: number) => {
    clock.instant = new Date(at);
    await app.get(PrecomputeService).refresh();
    const response = await app.inject({ method: 'GET', url: '/views/top-k?window=last-hour&k=1000' });
    expect(response.statusCode).toBe(200);
    return { body: response.json() as { videoId: string; views: number }[], start: response.headers['x-window-start'] };
  };
  const viewsOf = (list: { videoId: string; views: number }[], id: string) => list.find((e) => e.videoId === id)?.views;

  beforeAll(async () => {
    ({ app } = await startApp({ ...isolated(name), LATE_TOLERANCE_MS: String(tolerance) }, clock));
    const rows = [
      ...Array.from({ length: 500 }, (_, i) => ({ video_id: 'burst', ts: burstMinute + (i % 60_000) })),
      ...Array.from({ length: 40 }, (_, i) => ({ video_id: 'earlier', ts: new Date(earlierMinute + i * 1000).toISOString() })),
      ...Array.from({ length: 25 }, () => ({ video_id: 'steady', ts: realNow - 1000 })),
    ];
    await produce(name, [rows.map((r) => JSON.stringify(r)).join('\n')]);
    await waitFor('565 views counted', async () => (await ingestStatus(app)).viewsCounted === 565);
  });

  afterAll(async () => {
    await app
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app.close();
  });

  it("creates the topic with the broker's append time as each message's timestamp", async () => {
    expect(await topicTimestampType(TEST_BROKERS, name)).toBe('LogAppendTime');
  });

  it('counts the burst, keeps it for 60 minutes and drops it exactly when its minute leaves', async () => {
    const first = await lastHour(realNow);
    expect(viewsOf(first.body, 'burst')).toBe(500);
    expect(viewsOf(first.body, 'earlier')).toBe(40);
    expect(viewsOf(first.body, 'steady')).toBe(25);

    // Seven views reach Kafka after their minute's end plus the tolerance: counted in all-time, set aside from last-hour.
    await produce(
      name,
      Array.from({ length: 7 }, () => JSON.stringify({ video_id: 'late', ts: lateMinute + 1000 })),
    );
    await waitFor('572 views counted', async () => (await ingestStatus(app)).viewsCounted === 572);
    const afterLate = await lastHour(realNow + 1000);
    expect(viewsOf(afterLate.body, 'late')).toBeUndefined();
    expect(viewsOf(afterLate.body, 'burst')).toBe(500);
    const allTime = await app.inject({ method: 'GET', url: '/views/top-k?window=all-time&k=10' });
    expect(viewsOf(allTime.json(), 'late')).toBe(7);

    // Walk forward in 7-minute steps, as a running service would see time pass.
    for (let t = realNow + 7 * MINUTE_MS; t < burstMinute + 59 * MINUTE_MS; t += 7 * MINUTE_MS) {
      expect(viewsOf((await lastHour(t)).body, 'burst')).toBe(500);
    }
    const earlierGone = await lastHour(earlierMinute + 60 * MINUTE_MS);
    expect(viewsOf(earlierGone.body, 'earlier')).toBeUndefined();
    expect(viewsOf(earlierGone.body, 'burst')).toBe(500);

    const lastMoment = await lastHour(burstMinute + 60 * MINUTE_MS - 1);
    expect(lastMoment.start).toBe(new Date(burstMinute).toISOString());
    expect(viewsOf(lastMoment.body, 'burst')).toBe(500);

    const gone = await lastHour(burstMinute + 60 * MINUTE_MS);
    expect(gone.start).toBe(new Date(burstMinute + MINUTE_MS).toISOString());
    expect(viewsOf(gone.body, 'burst')).toBeUndefined();
    expect(viewsOf(gone.body, 'steady')).toBe(25);

    // The late views' minute left the window during the walk: the views set aside are counted.
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^viewrank_last_hour_late_views 7$/m);

    const later = await lastHour(realNow + 61 * MINUTE_MS);
    expect(later.body).toEqual([]);
  });
});
