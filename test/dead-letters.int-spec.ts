// Malformed Kafka messages never stop ingestion and are never dropped silently (real Kafka, real ClickHouse):
// each lands in views_dead_letter with its raw payload, topic, partition, offset, error and arrival time, is
// counted in /metrics, and the good rows around it are counted exactly.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { IngestService } from '../src/ingest/ingest.service';
import { ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { recount, ViewEvent } from './support/stream';

const DAY = 86_400_000;
const TOKEN = 'operator-token-0123456789';

/** A row as the Kafka engine reads it: every field as text, JSON values as their JSON text, missing ones empty. */
function rowAsRead(message: string): { video_id: string; ts: string } {
  const row = JSON.parse(message) as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return { video_id: text(row.video_id), ts: text(row.ts) };
}

interface DeadLetter {
  received_at: string;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  raw_message: string;
}

describe('dead letters (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('dead');
  const now = Date.now();
  const good = (id: string, t = now) => JSON.stringify({ video_id: id, ts: t });
  // Each bad message, and the error it must be kept with.
  const bad: [string, string | RegExp][] = [
    ['not json at all', /^unparseable message: /],
    ['{"video_id":"cut-off","ts":', /^unparseable message: /],
    [`{"ts":${now}}`, 'video_id is missing or empty'],
    ['{"video_id":"no-time"}', 'ts is missing or empty'],
    [`{"video_id":"","ts":${now}}`, 'video_id is missing or empty'],
    [`{"video_id":"${'v'.repeat(300)}","ts":${now}}`, 'video_id is longer than 256 bytes'],
    ['{"video_id":"when","ts":"yesterday"}', 'ts is neither an RFC 3339 time nor epoch milliseconds'],
    [`{"video_id":"future","ts":${now + 2 * DAY}}`, 'ts is more than a day in the future'],
    [`{"video_id":"ancient","ts":${now - 100 * DAY}}`, 'ts is more than 90 days old'],
    [`{"video_id":{"nested":1},"ts":${now}}`, 'video_id is a JSON object or array, not a string'],
    [`{"video_id":["a"],"ts":${now}}`, 'video_id is a JSON object or array, not a string'],
    [`{"video_id":"arr","ts":[1,2]}`, 'ts is neither an RFC 3339 time nor epoch milliseconds'],
  ];
  // One message mixing good rows and a row that fails validation: the good rows count, the bad one is kept.
  const mixed = [good('mixed-a'), `{"video_id":"","ts":${now}}`, good('mixed-b')].join('\n');
  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;

  beforeAll(async () => {
    ({ app } = await startApp({ CLICKHOUSE_DATABASE: name, KAFKA_TOPIC: name, KAFKA_TOPIC_PARTITIONS: '1', KAFKA_GROUP: name, INGEST_POLL_INTERVAL_MS: '200', INGEST_TOKENS: TOKEN }, new ManualClock(new Date(now))));
    clickhouse = app.get(ClickHouseService);
  });

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app.close();
  });

  it('keeps every bad message with its payload and reason, and counts the good rows around them exactly', async () => {
    const events: ViewEvent[] = [];
    const messages: string[] = [];
    // Good messages before, between and after the bad ones, all on one partition so offsets are in order.
    for (const [i, [message]] of bad.entries()) {
      events.push({ videoId: `before-${i}`, t: now });
      messages.push(good(`before-${i}`), message);
    }
    messages.push(mixed);
    events.push({ videoId: 'mixed-a', t: now }, { videoId: 'mixed-b', t: now });
    for (let i = 0; i < 20; i++) {
      messages.push(good(`after-${i % 3}`));
      events.push({ videoId: `after-${i % 3}`, t: now });
    }
    await produce(name, messages, 1);
    const expectedDead = bad.length + 1;
    await waitFor('every good view counted', async () => (await app.get(IngestService).status()).viewsCounted === events.length, 60_000).catch(async (e) => {
      const diag = await clickhouse.select('SELECT (SELECT sum(views) FROM {db:Identifier}.views_total) AS v, (SELECT groupArray((offset, error)) FROM {db:Identifier}.views_dead_letter) AS d');
      const consumers = await app.get(IngestService).consumers();
      throw new Error(`${(e as Error).message} (expected ${events.length})\nDIAG ${JSON.stringify(diag)}\n${JSON.stringify(consumers.map((c) => [c.offsets, c.exception_texts]))}`);
    });
    await waitFor('every dead letter kept', async () => (await app.get(IngestService).status()).deadLetters === expectedDead);

    const counted = await clickhouse.select<{ video_id: string; views: string }>('SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total GROUP BY video_id');
    expect(new Map(counted.map((r) => [r.video_id, Number(r.views)]))).toEqual(recount(events));

    const letters = await clickhouse.select<DeadLetter>('SELECT * FROM {db:Identifier}.views_dead_letter ORDER BY offset');
    expect(letters).toHaveLength(expectedDead);
    for (const [i, [message, error]] of bad.entries()) {
      const letter = letters[i];
      const offset = 2 * i + 1; // good, bad, good, bad, …
      expect({ i, offset: Number(letter.offset), partition: Number(letter.partition), topic: letter.topic }).toEqual({ i, offset, partition: 0, topic: name });
      expect({ i, error: letter.error }).toEqual({ i, error: typeof error === 'string' ? error : expect.stringMatching(error) });
      // The raw payload: the message itself when it could not be parsed, else the row as read, as JSON.
      if (letter.error.startsWith('unparseable')) expect({ i, raw: letter.raw_message }).toEqual({ i, raw: message });
      else expect({ i, raw: JSON.parse(letter.raw_message) }).toEqual({ i, raw: rowAsRead(message) });
      const receivedAt = Date.parse(letter.received_at.endsWith('Z') ? letter.received_at : `${letter.received_at.replace(' ', 'T')}Z`);
      expect(Math.abs(receivedAt - Date.now())).toBeLessThan(10 * 60_000);
    }
    const mixedLetter = letters[bad.length];
    expect({ error: mixedLetter.error, offset: Number(mixedLetter.offset), raw: JSON.parse(mixedLetter.raw_message) }).toEqual({
      error: 'video_id is missing or empty',
      offset: 2 * bad.length,
      raw: { video_id: '', ts: String(now) },
    });

    await waitFor('the metric', async () => new RegExp(`^viewrank_dead_letters_total ${expectedDead}$`, 'm').test((await app.inject({ method: 'GET', url: '/metrics' })).body));
  });

  it('lists them for operators at GET /dead-letters, filtered, behind the bearer token', async () => {
    const get = (query: string, token: string | null = TOKEN) =>
      app.inject({ method: 'GET', url: `/dead-letters${query}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const all = await get('?limit=1000');
    expect(all.statusCode).toBe(200);
    const letters = all.json() as DeadLetter[];
    expect(letters).toHaveLength(bad.length + 1);
    expect(letters.map((l) => l.received_at)).toEqual([...letters.map((l) => l.received_at)].sort().reverse());
    const future = (await get('?error=in%20the%20future')).json() as DeadLetter[];
    expect(future.map((l) => JSON.parse(l.raw_message).video_id)).toEqual(['future']);
    expect((await get('?since=2999-01-01T00:00:00Z')).json()).toEqual([]);
    expect((await get('', null)).statusCode).toBe(401);
    const badLimit = await get('?limit=0');
    expect({ status: badLimit.statusCode, message: badLimit.json().message }).toEqual({ status: 400, message: ['limit must be between 1 and 10000'] });
  });
});
