// POST /views end to end (real Kafka, real ClickHouse, a real HTTP server): accepted batches are counted exactly;
// no token, a wrong token, too many requests, oversized headers and a broker that is down each get their answer,
// and nothing acknowledged is lost across the broker's restart.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { DedicatedBroker } from './support/broker';
import { uniqueName } from './support/kafka';
import { expectedTopK, generateStream, ViewEvent } from './support/stream';
import { ingestStatus } from './support/ingest-status';

const MINUTE = 60_000;
const TOKENS = ['ingest-token-one-0123456789', 'ingest-token-two-0123456789', 'ingest-token-three-0123456789'];
const READ_KEY = 'read-key-abcdefghijklmnop';

describe('POST /views (real Kafka, real ClickHouse, real HTTP)', () => {
  const name = uniqueName('http');
  const broker = new DedicatedBroker(9392);
  const clock = new ManualClock(new Date());
  let app: NestFastifyApplication;
  let url: string;
  const accepted: ViewEvent[] = [];

  const post = (body: unknown, token: string | null = TOKENS[0], headers: Record<string, string> = {}) =>
    fetch(`${url}/views`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });
  const batchOf = (events: ViewEvent[]) => ({ views: events.map((e) => ({ video_id: e.videoId, ts: e.t })) });

  beforeAll(async () => {
    broker.start();
    ({ app } = await startApp(
      {
        ...isolated(name),
        KAFKA_BROKERS: broker.brokers,
        INGEST_TOKENS: TOKENS.join(','),
        INGEST_RATE_LIMIT: '8',
        READ_API_KEY: READ_KEY,
      },
      clock,
    ));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  }, 180_000);

  afterAll(async () => {
    await app
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app.close();
    broker.stop();
  });

  it('accepts batches with a valid token (202 after Kafka acknowledged) and counts them exactly', async () => {
    const events = generateStream({
      seed: 31,
      views: 3000,
      videos: 120,
      segments: [{ from: Date.now() - 20 * MINUTE, to: Date.now(), weight: 1 }],
    });
    for (let i = 0; i < events.length; i += 1000) {
      const response = await post(batchOf(events.slice(i, i + 1000)), TOKENS[i % 2]);
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 202, body: { accepted: 1000 } });
      accepted.push(...events.slice(i, i + 1000));
    }
    await waitFor('every accepted view counted', async () => (await ingestStatus(app)).viewsCounted === accepted.length);
    await app.get(PrecomputeService).refresh();
    const top = await fetch(`${url}/views/top-k?window=day&k=1000`, { headers: { 'x-api-key': READ_KEY } });
    expect(top.status).toBe(200);
    const day = {
      start: new Date(new Date().toISOString().slice(0, 10)),
      end: new Date(Date.parse(new Date().toISOString().slice(0, 10)) + 1440 * MINUTE),
    };
    expect(await top.json()).toEqual(expectedTopK(accepted, 1000, day));
  });

  it('refuses with a 400 naming the event the ids the pipeline would set aside, and counts every id it accepts', async () => {
    const now = Date.now();
    // What the pipeline would set aside: refused whole with the event and field named; nothing reaches Kafka.
    for (const [event, problem] of [
      [{ video_id: 'vid-\ud800', ts: now }, 'views.1.video_id is not valid UTF-8'],
      [{ video_id: 'x', ts: '2026-11-28T24:00:00Z' }, 'views.1.ts is neither an RFC 3339 date-time nor epoch milliseconds'],
      [{ video_id: 'x', ts: '12/11/2026' }, 'views.1.ts is neither an RFC 3339 date-time nor epoch milliseconds'],
      [{ video_id: 'x', ts: true }, 'views.1.ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ] as const) {
      const response = await post({ views: [{ video_id: 'fine', ts: now }, event] }, TOKENS[2]);
      expect({ event, status: response.status, body: await response.json() }).toEqual({
        event,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: [problem] },
      });
    }
    // Odd but valid ids and times: accepted, then counted exactly, none dead-lettered.
    const odd = ['{}', ' [1]', '{"a":1}', '{', '[1', 'null', '"q"', '12', ' lead', 'tab\t', 'é\u{1F3AC}', '\\u0000', 'a'.repeat(256)];
    const events = odd.map((videoId, i) => ({ videoId, t: now - i }));
    const lower = (t: number) => new Date(t).toISOString().replace('T', 't').replace('Z', 'z');
    const response = await post(
      { views: events.map((e, i) => ({ video_id: e.videoId, ts: [e.t, String(e.t), lower(e.t)][i % 3] })) },
      TOKENS[2],
    );
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 202, body: { accepted: odd.length } });
    accepted.push(...events);
    await waitFor('the odd ids counted', async () => (await ingestStatus(app)).viewsCounted === accepted.length);
    expect((await ingestStatus(app)).deadLetters).toBe(0);
    await app.get(PrecomputeService).refresh();
    const top = await fetch(`${url}/views/top-k?window=all-time&k=1000`, { headers: { 'x-api-key': READ_KEY } });
    expect(await top.json()).toEqual(expectedTopK(accepted, 1000));
  });

  it('answers 401 without a valid bearer token, and 401 to reads without the read key', async () => {
    for (const token of [null, 'wrong-token-0123456789abc', `${TOKENS[0]}x`]) {
      const response = await post(batchOf(accepted.slice(0, 1)), token);
      expect({ token, status: response.status, auth: response.headers.get('www-authenticate') }).toEqual({
        token,
        status: 401,
        auth: 'Bearer realm="viewrank"',
      });
    }
    const read = await fetch(`${url}/views/top-k?window=day&k=1`);
    expect({ status: read.status, message: ((await read.json()) as { message: string }).message }).toEqual({
      status: 401,
      message: 'a valid X-Api-Key header is required',
    });
  });

  it('limits each client separately: 429 with Retry-After past the limit', async () => {
    const bad = { views: [] }; // a cheap request that still counts against the limit (400)
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post(bad, TOKENS[1])).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, statuses.indexOf(429)).every((s) => s === 400)).toBe(true);
    const limited = await post(bad, TOKENS[1]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({
      statusCode: 429,
      message: 'too many requests from this client; retry after Retry-After seconds',
      error: 'Too Many Requests',
    });
  });

  it('limits failed authentications per address: wrong tokens do not each buy a fresh allowance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await post({ views: [] }, `wrong-token-${i}-${Math.random().toString(36).slice(2)}`)).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, statuses.indexOf(429)).every((s) => s === 401)).toBe(true);
    // A valid token keeps its own allowance.
    expect((await post({ views: [] }, TOKENS[2])).status).toBe(400);
  });

  it('refuses request headers over 16 KiB with 431', async () => {
    const response = await fetch(`${url}/health/live`, { headers: { 'x-padding': 'p'.repeat(20_000) } });
    expect(response.status).toBe(431);
  });

  it('answers 503 with Retry-After while the broker is down, and loses nothing acknowledged across its restart', async () => {
    broker.stop();
    const late = generateStream({ seed: 32, views: 200, videos: 10, segments: [{ from: Date.now() - MINUTE, to: Date.now(), weight: 1 }] });
    const refused = await post(batchOf(late));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { message: string }).message).toMatch(/^Kafka did not acknowledge the batch .*; retry$/);

    broker.start();
    await waitFor('the broker to take batches again', async () => (await post(batchOf(late))).status === 202, 60_000, 1000);
    accepted.push(...late);
    await waitFor(
      'every accepted view counted after the restart',
      async () => (await ingestStatus(app)).viewsCounted >= accepted.length,
      120_000,
      1000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect((await ingestStatus(app)).viewsCounted).toBe(accepted.length);
  });
});
