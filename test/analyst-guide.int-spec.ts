// clickhouse/README.md, the analyst guide: every query in it runs as written against real ClickHouse fed through
// real Kafka, the way an analyst runs it: with the official @clickhouse/client, through the service's ClickHouse HTTP
// interface (src/clickhouse-http/). The ones that answer "how many" are checked against a brute-force recount.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseClient, createClient } from '@clickhouse/client';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { toClickHouseDateTime } from '../src/clickhouse/params';
import { tumblingWindow } from '../src/top-k/windows';
import { ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { expectedTopK, generateStream, recount, toMessages } from './support/stream';
import { ingestStatus } from './support/ingest-status';
import { freePort } from './support/service-process';

const HOUR = 3_600_000;
const guide = readFileSync(join(__dirname, '../clickhouse/README.md'), 'utf8');
const queries = new Map([...guide.matchAll(/<!-- query: ([a-z-]+) -->\n```sql\n([\s\S]*?)\n```/g)].map((m) => [m[1], m[2]]));

describe('the analyst guide (clickhouse/README.md) against real Kafka and ClickHouse', () => {
  const name = uniqueName('guide');
  const now = Date.now();
  const events = generateStream({ seed: 21, views: 6000, videos: 300, segments: [{ from: now - 26 * HOUR, to: now, weight: 1 }] });
  const bad = ['{"video_id": ', `{"video_id":"","ts":${now}}`];
  const clock = new ManualClock(new Date(now));
  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;
  let analyst: ClickHouseClient;
  const run = async <T = Record<string, string | number>>(query: string, params: Record<string, unknown> = {}) =>
    (await analyst.query({ query: queries.get(query)!, query_params: params, format: 'JSONEachRow' })).json<T>();
  const asRanked = (rows: Record<string, string | number>[]) => rows.map((r) => ({ videoId: String(r.video_id), views: Number(r.views) }));

  // The guide names the database `viewrank`, as deployed; chDB's data directory here belongs to this test process.
  beforeAll(async () => {
    const port = await freePort();
    ({ app } = await startApp(
      {
        CLICKHOUSE_DATABASE: 'viewrank',
        KAFKA_TOPIC: name,
        KAFKA_GROUP: name,
        ANALYST_PASSWORD: 'guide-analyst-secret',
        CLICKHOUSE_HTTP_PORT: String(port),
      },
      clock,
    ));
    analyst = createClient({ url: `http://127.0.0.1:${port}`, username: 'analyst', password: 'guide-analyst-secret' });
    clickhouse = app.get(ClickHouseService);
    await produce(name, [...toMessages(events, 100), ...bad]);
    await waitFor('every view counted', async () => (await ingestStatus(app)).viewsCounted === events.length);
    await waitFor('the dead letters kept', async () => (await ingestStatus(app)).deadLetters === bad.length);
    await app.get(PrecomputeService).refresh();
  });

  afterAll(async () => {
    await analyst.close();
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app.close();
  });

  it('has the queries this test knows, and each runs as written', async () => {
    expect([...queries.keys()].sort()).toEqual(
      [
        'dead-letters-by-error',
        'dead-letters-latest',
        'ingest-per-minute',
        'last-hour-late',
        'served-lists',
        'top-all-time',
        'top-of-day',
        'top-of-hour',
        'top-of-month',
        'totals',
        'video-by-hour',
        'video-by-minute',
        'views-per-day',
      ].sort(),
    );
    const top = expectedTopK(events, 1)[0].videoId;
    const params: Record<string, unknown> = {
      hour: toClickHouseDateTime(new Date(Math.floor(now / HOUR) * HOUR - HOUR)),
      day: new Date(now).toISOString().slice(0, 10),
      from: toClickHouseDateTime(new Date(now - 24 * HOUR)),
      to: toClickHouseDateTime(new Date(now)),
      video_id: top,
      window: 'day',
      k: 10,
    };
    for (const [query, sql] of queries) {
      const needed = Object.fromEntries(Object.entries(params).filter(([key]) => sql.includes(`{${key}:`)));
      const rows = await run(query, needed);
      // Only last-hour-late may be empty here: no minute has left the last hour while the clock stood still.
      if (query !== 'last-hour-late') expect({ query, rows: rows.length > 0 }).toEqual({ query, rows: true });
    }
  });

  it('ranks a past hour, a day, the month and all time exactly as a recount does', async () => {
    const hourStart = Math.floor(now / HOUR) * HOUR - HOUR;
    const hour = { start: new Date(hourStart), end: new Date(hourStart + HOUR) };
    expect(asRanked(await run('top-of-hour', { hour: toClickHouseDateTime(hour.start), k: 10 }))).toEqual(expectedTopK(events, 10, hour));

    const dayStart = Date.parse(new Date(now - 24 * HOUR).toISOString().slice(0, 10)); // yesterday, UTC
    const day = { start: new Date(dayStart), end: new Date(dayStart + 24 * HOUR) };
    const dayRows = await run('top-of-day', { day: day.start.toISOString().slice(0, 10), k: 1000 });
    expect(asRanked(dayRows)).toEqual(expectedTopK(events, 1000, day));

    const month = tumblingWindow('month', new Date(now));
    const monthRows = await run('top-of-month', { day: new Date(now).toISOString().slice(0, 10), k: 1000 });
    expect(asRanked(monthRows)).toEqual(expectedTopK(events, 1000, month));

    expect(asRanked(await run('top-all-time', { k: 1000 }))).toEqual(expectedTopK(events, 1000));
  });

  it('follows one video hour by hour, gap-free, and totals everything', async () => {
    const video = expectedTopK(events, 1)[0].videoId;
    const from = new Date(Math.floor(now / HOUR) * HOUR - 24 * HOUR);
    const to = new Date(Math.floor(now / HOUR) * HOUR + HOUR);
    const series = await run<{ hour: string; views: string }>('video-by-hour', {
      video_id: video,
      from: toClickHouseDateTime(from),
      to: toClickHouseDateTime(to),
    });
    expect(series).toHaveLength(25);
    for (const point of series) {
      const start = new Date(Date.parse(point.hour.endsWith('Z') ? point.hour : `${point.hour.replace(' ', 'T')}Z`));
      const expected = recount(events, { start, end: new Date(start.getTime() + HOUR) }).get(video) ?? 0;
      expect({ hour: point.hour, views: Number(point.views) }).toEqual({ hour: point.hour, views: expected });
    }

    const [totals] = await run<{ views: string; videos: string }>('totals');
    expect({ views: Number(totals.views), videos: Number(totals.videos) }).toEqual({ views: events.length, videos: recount(events).size });
    const perDay = await run<{ views: string }>('views-per-day');
    expect(perDay.reduce((sum, d) => sum + Number(d.views), 0)).toBe(events.length);
  });

  it('shows the dead letters and the list the API served', async () => {
    const byError = await run<{ error: string; messages: string }>('dead-letters-by-error');
    expect(byError.reduce((sum, e) => sum + Number(e.messages), 0)).toBe(bad.length);
    const latest = await run<{ raw_message: string; topic: string }>('dead-letters-latest');
    expect(latest.map((d) => d.topic)).toEqual([name, name]);

    const served = await run<{ video_id: string; views: string }>('served-lists', { window: 'day', k: 10 });
    const api = await app.inject({ method: 'GET', url: '/views/top-k?window=day&k=10' });
    expect(asRanked(served)).toEqual(api.json());
  });
});
