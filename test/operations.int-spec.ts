// What operators rely on, against real Kafka and real embedded ClickHouse: liveness, readiness with its three
// conditions, Prometheus metrics that match what was produced, the OpenAPI document and the leaderboard page.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import createClient from 'openapi-fetch';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { IngestMonitor } from '../src/ingest/ingest-monitor.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { WINDOWS } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { generateStream, toMessages } from './support/stream';
import type { paths } from './generated/viewrank-api';

const MINUTE = 60_000;

/** The value of one sample in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** What the test reads of an OpenAPI operation. */
interface OperationDoc {
  operationId: string;
  tags: string[];
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown; examples?: unknown }> }>;
}

describe('health, metrics, docs and page (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('ops');
  const env = {
    ...isolated(name),
    INGEST_POLL_INTERVAL_MS: '200',
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
    const messages = [...toMessages(events, 50), ...bad];
    await produce(name, messages);
    const good = events.length + 1;
    const scrape = async () => (await get('/metrics')).body;
    await waitFor('the metrics to show every view', async () => sample(await scrape(), 'viewrank_views_ingested_total') === good);
    await waitFor('consumer lag 0', async () => sample(await scrape(), 'viewrank_kafka_consumer_lag_messages') === 0);
    const text = await scrape();
    expect(sample(text, 'viewrank_dead_letters_total')).toBe(3);
    expect(sample(text, 'viewrank_views_ingested_total')).toBe(good);
    // The Kafka engine's own counts, as of the monitor's last look at its consumers: every message read once, in
    // blocks of one poll each.
    await app.get(IngestMonitor).reportConsumerErrors();
    const engine = await scrape();
    expect(sample(engine, 'viewrank_kafka_engine_messages_read_total')).toBe(messages.length);
    expect(sample(engine, 'viewrank_kafka_engine_blocks_total')).toBeGreaterThanOrEqual(1);
    expect(sample(engine, 'viewrank_kafka_engine_blocks_total')).toBeLessThanOrEqual(messages.length);
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

  it('exposes exactly the metrics docs/operations.md lists, stock process and Node.js names, and passes promtool', async () => {
    const text = (await get('/metrics')).body;
    const exposed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, metric, type]) => [metric, type] as const));
    const table = readFileSync(join(__dirname, '../docs/operations.md'), 'utf8');
    const documented = new Map(
      [...table.matchAll(/^\| `(viewrank_[a-z_]+)(?:\{[^}]*\})?` \| (counter|gauge|histogram) \|/gm)].map(
        ([, metric, type]) => [metric, type] as const,
      ),
    );
    const own = new Map([...exposed].filter(([metric]) => metric.startsWith('viewrank_')));
    expect(Object.fromEntries(own)).toEqual(Object.fromEntries(documented));
    // prom-client's defaults under their stock names, none under the prefix.
    expect(exposed.get('process_cpu_seconds_total')).toBe('counter');
    expect(exposed.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect([...exposed.keys()].filter((metric) => /^viewrank_(process|nodejs)_/.test(metric))).toEqual([]);
    // promtool's lint: nothing but prom-client's own gauges that stock dashboards know by these names.
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = (check.stdout + check.stderr).split('\n').filter((line) => line.trim() !== '');
    const stock = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
    expect(findings.filter((line) => !stock.test(line))).toEqual([]);
  });

  it("names in the Grafana dashboard's queries only metrics this instance exposes, in PromQL promtool parses", async () => {
    const text = (await get('/metrics')).body;
    const exposed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, metric, type]) => [metric, type] as const));
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../docker/grafana/dashboards/viewrank.json'), 'utf8'));
    const queries: string[] = dashboard.panels.flatMap((panel: { targets?: { expr: string }[] }) =>
      (panel.targets ?? []).map((t) => t.expr),
    );
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const named = new Set(
      queries.flatMap((query) => [...query.matchAll(/\b(?:viewrank|process|nodejs)_[a-z0-9_]+/g)].map(([metric]) => metric)),
    );
    // A histogram's series are its name with _bucket, _sum or _count.
    const missing = [...named].filter((metric) => {
      const histogram = metric.replace(/_(bucket|sum|count)$/, '');
      return !exposed.has(metric) && exposed.get(histogram) !== 'histogram';
    });
    expect(missing).toEqual([]);
    // What the issue asks the dashboard to show, by the metric that shows it.
    for (const metric of [
      'viewrank_views_ingested_total',
      'viewrank_kafka_consumer_lag_messages',
      'viewrank_dead_letters_total',
      'viewrank_topk_window_refresh_duration_seconds_bucket',
      'viewrank_topk_staleness_seconds',
      'viewrank_http_request_duration_seconds_bucket',
      'viewrank_last_hour_watermark_lag_seconds',
    ])
      expect(named).toContain(metric);
    // Each query as a recording rule: promtool parses the PromQL.
    const dir = mkdtempSync(join(tmpdir(), 'viewrank-dashboard-'));
    const rules = queries.map((query, i) => `      - record: dashboard:query${i}\n        expr: ${JSON.stringify(query)}`).join('\n');
    writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
    const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
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
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['at', 'k', 'movement', 'window']);
    expect(op.parameters.find((p: { name: string }) => p.name === 'window').schema.enum).toEqual([...WINDOWS]);
    expect(op.operationId).toBe('getTopK');
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '429', '431', '503']);
    expect(Object.keys(op.responses['200'].headers)).toEqual(expect.arrayContaining(['X-Window-Final', 'X-Computed-At']));
    const stream = doc.paths['/views/top-k/stream'].get;
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
    expect(stream.responses['200'].content['text/event-stream'].example).toMatch(/^event: top-k\n/);
    expect(Object.keys(stream.responses).sort()).toEqual(['200', '400', '401', '431', '503']);
    const video = doc.paths['/videos/{videoId}/views'].get;
    expect(video.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:videoId']);
    expect(video.responses['200'].content['application/json'].example.windows).toHaveLength(5);
    expect(Object.keys(doc.paths['/views'].post.responses).sort()).toEqual(['202', '400', '401', '413', '429', '431', '503']);
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

  it('documents a schema and an example for every answer, and the declared headers', async () => {
    const doc = (await get('/docs/openapi.json')).json();
    const undocumented: string[] = [];
    const operations: string[] = [];
    for (const [path, item] of Object.entries<Record<string, OperationDoc>>(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        operations.push(`${operation.operationId} ${method} ${path} [${operation.tags.join()}]`);
        for (const [status, response] of Object.entries(operation.responses)) {
          const media = Object.entries(response.content ?? {});
          if (media.length === 0) undocumented.push(`${method} ${path} ${status}: no content`);
          for (const [type, body] of media) {
            if (!body.schema) undocumented.push(`${method} ${path} ${status} ${type}: no schema`);
            if (body.example === undefined && body.examples === undefined)
              undocumented.push(`${method} ${path} ${status} ${type}: no example`);
          }
        }
      }
    }
    expect(undocumented).toEqual([]);
    // Meaningful ids, one tag each (Nest's default would be TopKController_topK).
    expect(operations.sort()).toEqual([
      'getDeadLetterPayload get /dead-letters/{partition}/{offset}/raw [ingest]',
      'getLiveness get /health/live [operations]',
      'getMetrics get /metrics [operations]',
      'getReadiness get /health/ready [operations]',
      'getTopK get /views/top-k [top-k]',
      'getVideoViews get /videos/{videoId}/views [videos]',
      'getVideoViewsSeries get /videos/{videoId}/views/series [videos]',
      'getViewsSeries get /views/series [videos]',
      'listDeadLetters get /dead-letters [ingest]',
      'postViews post /views [ingest]',
      'streamTopK get /views/top-k/stream [top-k]',
    ]);
    const headers = (path: string, method: string, status: string) => Object.keys(doc.paths[path][method].responses[status].headers ?? {});
    expect(headers('/views', 'post', '429')).toEqual(['Retry-After']);
    expect(headers('/views', 'post', '503')).toEqual(['Retry-After']);
    expect(headers('/views/top-k', 'get', '503')).toEqual(['Retry-After']);
    expect(headers('/videos/{videoId}/views/series', 'get', '503')).toEqual(['Retry-After']);
    expect(headers('/views/series', 'get', '503')).toEqual(['Retry-After']);
    expect(headers('/views/top-k', 'get', '200')).toEqual(
      expect.arrayContaining(['Age', 'X-Stale', 'X-Window', 'X-Window-Start', 'X-Window-End', 'X-Watermark']),
    );
    expect(doc.servers).toEqual([{ url: '/', description: 'This instance' }]);
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBeUndefined();
    expect(doc.paths['/metrics'].get.security).toEqual([]);
  });

  it('is served as documented to a client generated from the document (openapi-typescript + openapi-fetch)', async () => {
    // The committed types are what openapi-typescript makes of the document served now (`npm run openapi:client`).
    const dir = mkdtempSync(join(tmpdir(), 'viewrank-client-'));
    writeFileSync(join(dir, 'openapi.json'), (await get('/docs/openapi.json')).body);
    const generate = spawnSync(
      join(__dirname, '../node_modules/.bin/openapi-typescript'),
      [join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')],
      {
        encoding: 'utf8',
      },
    );
    expect(generate.status).toBe(0);
    expect(readFileSync(join(dir, 'api.d.ts'), 'utf8')).toBe(readFileSync(join(__dirname, 'generated/viewrank-api.d.ts'), 'utf8'));

    await app.listen(0, '127.0.0.1');
    const client = createClient<paths>({ baseUrl: await app.getUrl() });
    const top = await client.GET('/views/top-k', { params: { query: { window: 'hour', k: 5 } } });
    expect(top.response.status).toBe(200);
    expect(top.data).toEqual((await get('/views/top-k?window=hour&k=5')).json());
    expect(top.data![0]).toEqual({ videoId: expect.any(String), views: expect.any(Number) });
    const bad = await client.GET('/views/top-k', { params: { query: { window: 'hour', k: 0 } } });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(bad.error!.message)).toContain('k must be');
    const video = await client.GET('/videos/{videoId}/views', { params: { path: { videoId: top.data![0].videoId } } });
    expect(video.data!.windows.find((w) => w.window === 'hour')?.views).toBe(top.data![0].views);
    const ready = await client.GET('/health/ready');
    expect(ready.data?.status).toBe('ok');
    const metrics = await client.GET('/metrics', { parseAs: 'text' });
    expect(metrics.data).toContain('viewrank_views_ingested_total ');
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
