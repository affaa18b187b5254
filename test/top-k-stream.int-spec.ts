// GET /views/top-k/stream with a plain SSE client, through real Kafka and real ClickHouse: the first event is the
// current list, a change is pushed as the recount says, no change sends nothing but heartbeats, and the number of
// clients is bounded.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { STREAM_HEARTBEAT_MS, TopKStreamHub } from '../src/push/top-k-stream.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { tumblingWindow } from '../src/top-k/windows';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus } from './support/ingest-status';
import { produce, uniqueName } from './support/kafka';
import { SseClient } from './support/sse';
import { expectedTopK, generateStream, toMessages } from './support/stream';

describe('lists pushed as they change (real Kafka, real ClickHouse, a plain SSE client)', () => {
  const realNow = Date.now();
  const hour = tumblingWindow('hour', new Date(realNow));
  const events = generateStream({ seed: 7, views: 5000, videos: 300, segments: [{ from: hour.start.getTime(), to: realNow, weight: 1 }] });
  let app: NestFastifyApplication;
  let url: string;
  let topic: string;
  const clients: SseClient[] = [];
  const open = async (query: string) => {
    const client = await SseClient.open(`${url}/views/top-k/stream?${query}`);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ app } = await startApp({ ...isolated(uniqueName('stream')), STREAM_MAX_CLIENTS: '3' }, new ManualClock(new Date(realNow))));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    topic = app.get<AppConfig>(APP_CONFIG).kafka.topic;
    await produce(topic, toMessages(events, 100));
    await waitFor('all views counted', async () => (await ingestStatus(app)).viewsCounted === events.length);
    await app.get(PrecomputeService).refresh();
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await app
      ?.get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app?.close();
  });

  it('sends the current list at once, with the GET headers and body, then heartbeats and nothing else while nothing changes', async () => {
    const stream = await open('window=hour&k=5');
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['x-content-type-options']).toBe('nosniff');
    await waitFor('the first event', async () => stream.events.length === 1, 5000, 20);
    const [first] = stream.lists();
    const get = await app.inject({ method: 'GET', url: '/views/top-k?window=hour&k=5' });
    expect(JSON.stringify(first.body)).toBe(get.body);
    expect(first.body).toEqual(expectedTopK(events, 5, hour));
    for (const header of ['x-window', 'x-window-start', 'x-window-end', 'x-computed-at']) {
      const name = Object.keys(first.headers).find((h) => h.toLowerCase() === header)!;
      expect({ header, value: first.headers[name] }).toEqual({ header, value: get.headers[header] });
    }
    expect(stream.events[0].id).toBe(get.headers['x-computed-at']);
    await app.get(PrecomputeService).refresh();
    // One heartbeat (every STREAM_HEARTBEAT_MS, 15 s) and no event.
    await waitFor('a heartbeat', async () => stream.comments.includes('heartbeat'), STREAM_HEARTBEAT_MS + 5000, 100);
    expect(stream.events).toHaveLength(1);
  });

  it('pushes the new list when the top changes, equal to the recount', async () => {
    const stream = clients[0];
    const top = expectedTopK(events, 1, hour)[0];
    const burst = Array.from({ length: top.views + 10 }, () => JSON.stringify({ video_id: 'breaking-news', ts: realNow }));
    await produce(topic, [burst.join('\n')]);
    await waitFor('the burst counted', async () => (await ingestStatus(app)).viewsCounted === events.length + burst.length);
    await app.get(PrecomputeService).refresh();
    await waitFor('the change pushed', async () => stream.events.length === 2, 5000, 20);
    const withBurst = [...events, ...burst.map(() => ({ videoId: 'breaking-news', t: realNow }))];
    expect(stream.lists()[1].body).toEqual(expectedTopK(withBurst, 5, hour));
  });

  it('bounds the clients with a 503 and Retry-After, and names a bad parameter with a 400', async () => {
    const second = await open('window=all-time&k=1');
    const third = await open('window=last-hour&k=1000');
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('viewrank_stream_clients 3\n');
    const refused = await open('window=day&k=1');
    expect(refused.response.statusCode).toBe(503);
    expect(refused.response.headers['retry-after']).toBe('10');
    expect(JSON.parse(refused.body).message).toBe('STREAM_MAX_CLIENTS (3) streams are open; retry later');
    second.destroy();
    third.destroy();
    await waitFor('closed streams removed', async () => app.get(TopKStreamHub).size === 1, 5000, 20);
    const bad = await open('window=hour&k=0');
    expect(bad.response.statusCode).toBe(400);
    expect(JSON.parse(bad.body).message).toEqual(['k must be between 1 and 1000']);
    const past = await open('window=hour&k=1&at=2026-01-01T00:00:00Z');
    expect(past.response.statusCode).toBe(400);
    expect(JSON.parse(past.body).message).toEqual(['property at should not exist']);
  });
});
