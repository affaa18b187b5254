// What operators rely on, against real Kafka and real embedded ClickHouse: liveness, readiness with its three
// conditions, Prometheus metrics that match what was produced, the OpenAPI document and the leaderboard page.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { IngestMonitor } from '../src/ingest/ingest-monitor.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { WINDOWS } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { generateStream, toMessages } from './support/stream';

const MINUTE = 60_000;

/** The value of one sample in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('health, metrics, docs and page (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('ops');
  const env = {
    ...isolated(name),
    INGEST_POLL_INTERVAL_MS: '200',
    READY_MAX_LIST_AGE_MS: '60000',
  };
  const clock = new ManualClock(new Date());
  const events = generateStream({
    seed: 11,
    views: 3000,
    videos: 200,
    segments: [{ from: Date.now() - 20 * MINUTE, to: Date.now(), weight: 1 }],
  });
  // Bad input: unparseable, and a row with an empty video id next to a good one (the good one counts).
  const bad = [
    '{"video_id": "x", "ts": ',
    'not json at all',
    `{"video_id":"","ts":${Date.now()}}\n{"video_id":"good-neighbour","ts":${Date.now()}}`,
  ];
  let app: NestFastifyApplication;
  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    ({ app } = await startApp(env, clock));
  });

  afterAll(async () => {
    await app
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app.close();
  });

  it('is live at once, and not ready before the first lists exist, saying why', async () => {
    expect((await get('/health/live')).statusCode).toBe(200);
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.topk.error).toContain('last-hour: no list yet');
    expect(ready.json().details.clickhouse).toMatchObject({ status: 'up', mode: 'embedded' });
  });

  it('counts views and dead letters in /metrics exactly, with consumer lag back at 0', async () => {
    await produce(name, [...toMessages(events, 50), ...bad]);
    const good = events.length + 1;
    const scrape = async () => (await get('/metrics')).body;
    await waitFor('the metrics to show every view', async () => sample(await scrape(), 'viewrank_views_ingested_total') === good);
    await waitFor('consumer lag 0', async () => sample(await scrape(), 'viewrank_kafka_consumer_lag_messages') === 0);
    const text = await scrape();
    expect(sample(text, 'viewrank_dead_letters_total')).toBe(3);
    expect(sample(text, 'viewrank_views_ingested_total')).toBe(good);
  });

  it('is ready once every list is fresh, not ready when the lists grow old, and still ready under a backlog', async () => {
    await app.get(PrecomputeService).refresh();
    const ready = await get('/health/ready');
    expect({ status: ready.statusCode, body: ready.json() }).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        details: {
          shutdown: { status: 'up' },
          clickhouse: { status: 'up' },
          ingestion: { status: 'up', consumerLag: 0 },
          topk: { status: 'up' },
        },
      },
    });

    clock.instant = new Date(clock.instant.getTime() + 2 * MINUTE); // lists now 120 s old, max 60 s
    const old = await get('/health/ready');
    expect(old.statusCode).toBe(503);
    expect(old.json().error.topk.error).toContain('hour: list is 120 s old (max 60 s)');

    await app.get(PrecomputeService).refresh();
    const ingest = app.get(IngestMonitor);
    ingest.lag = { lag: 5_000_000, at: new Date() }; // as if a reading saw a backlog: reported, not failed on
    const lagging = await get('/health/ready');
    expect(lagging.statusCode).toBe(200);
    expect(lagging.json().details.ingestion).toMatchObject({ status: 'up', consumerLag: 5_000_000 });
    expect(lagging.json().details.ingestion.lastHourWatermarkLagSeconds).toEqual(expect.any(Number));
    await ingest.pollOnce(); // the real reading
    expect((await get('/health/ready')).json().details.ingestion.consumerLag).toBe(0);
  });

  it('reports refresh time and staleness per window, and request latency by route', async () => {
    await get('/views/top-k?window=hour&k=5');
    await get('/views/top-k?window=nope&k=5');
    const text = (await get('/metrics')).body;
    for (const window of WINDOWS) {
      expect(sample(text, 'viewrank_topk_window_refresh_duration_seconds_count', `window="${window}"`)).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'viewrank_topk_staleness_seconds', `window="${window}"`)).toBe(0);
    }
    expect(sample(text, 'viewrank_http_request_duration_seconds_count', 'method="GET",route="/views/top-k",status_code="200"')).toBe(1);
    // The last-hour watermark: the end of the newest frozen minute, 30-90 s behind the clock while ingestion keeps up.
    const watermark = Date.parse((await get('/views/top-k?window=last-hour&k=1')).headers['x-watermark'] as string);
    expect(sample(text, 'viewrank_last_hour_watermark_seconds')).toBe(watermark / 1000);
    expect(sample(text, 'viewrank_last_hour_watermark_lag_seconds')).toBeGreaterThanOrEqual(30);
    expect(sample(text, 'viewrank_last_hour_watermark_lag_seconds')).toBeLessThanOrEqual(90);
    expect(sample(text, 'viewrank_http_request_duration_seconds_count', 'method="GET",route="/views/top-k",status_code="400"')).toBe(1);
  });

  it('counts full and incremental refreshes per window, and how many videos an incremental one looked up', async () => {
    await app.get(PrecomputeService).refresh(); // the first was full; this one is incremental
    const text = (await get('/metrics')).body;
    for (const window of ['hour', 'day', 'month', 'all-time']) {
      expect(sample(text, 'viewrank_topk_refreshes_total', `window="${window}",mode="full"`)).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'viewrank_topk_refreshes_total', `window="${window}",mode="incremental"`)).toBeGreaterThanOrEqual(1);
      // Nothing was produced since: only the listed videos were looked up.
      const listed = app.get(PrecomputeService).snapshot(window as 'hour')!.entries.length;
      expect({ window, lookedUp: sample(text, 'viewrank_topk_looked_up_videos', `window="${window}"`) }).toEqual({
        window,
        lookedUp: listed,
      });
    }
  });

  it('serves an OpenAPI document describing the top-K endpoint, and Swagger UI at /docs', async () => {
    const doc = (await get('/docs/openapi.json')).json();
    const op = doc.paths['/views/top-k'].get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['at', 'k', 'window']);
    expect(op.parameters.find((p: { name: string }) => p.name === 'window').schema.enum).toEqual([...WINDOWS]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '429', '503']);
    expect(Object.keys(op.responses['200'].headers)).toEqual(expect.arrayContaining(['X-Window-Final', 'X-Computed-At']));
    const stream = doc.paths['/views/top-k/stream'].get;
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
    expect(stream.responses['200'].content['text/event-stream'].example).toMatch(/^event: top-k\n/);
    expect(Object.keys(stream.responses).sort()).toEqual(['200', '400', '401', '503']);
    const video = doc.paths['/videos/{videoId}/views'].get;
    expect(video.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:videoId']);
    expect(video.responses['200'].content['application/json'].example.windows).toHaveLength(5);
    expect(Object.keys(doc.paths['/views'].post.responses).sort()).toEqual(['202', '400', '401', '429', '503']);
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', name: 'X-Api-Key' },
    });
    expect(doc.components.schemas.RankedVideoDto.required.sort()).toEqual(['videoId', 'views']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/metrics', '/dead-letters']));
    const ui = await get('/docs');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
  });

  it('serves the leaderboard page at / and echoes request ids', async () => {
    const page = await get('/');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script src="/leaderboard.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await get('/leaderboard.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('/views/top-k/stream?window=');
    const withId = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-42' } });
    expect(withId.headers['x-request-id']).toBe('trace-42');
    const odd = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'has spaces' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
