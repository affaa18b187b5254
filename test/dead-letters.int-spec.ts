// Malformed Kafka messages never stop ingestion and are never dropped silently (real Kafka, real ClickHouse):
// each lands in views_dead_letter with its raw payload, topic, partition, offset, error and arrival time, is
// counted in /metrics, and the good rows around it are counted exactly.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { IngestMonitor } from '../src/ingest/ingest-monitor.service';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { recount, ViewEvent } from './support/stream';
import { ingestStatus, rolledUp } from './support/ingest-status';

const DAY = 86_400_000;
const TOKEN = 'operator-token-0123456789';

/** A row as the Kafka engine reads it: each field as the JSON value sent (typed), a missing one null. */
function rowAsRead(message: string): { video_id: unknown; ts: unknown } {
  const row = JSON.parse(message) as Record<string, unknown>;
  return { video_id: row.video_id ?? null, ts: row.ts ?? null };
}

/** Reasons a message's syntax gives (a key twice, an unknown key, unreadable): the message is kept whole. */
const messageLevel = (error: string) =>
  error.startsWith('unparseable') || error.endsWith(' appears twice') || error.includes('is not a field of a view');

interface DeadLetter {
  received_at: string;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  raw_message: string;
  /** In GET /dead-letters answers only. */
  raw_bytes?: number;
  truncated?: boolean;
}

describe('dead letters (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('dead');
  const now = Date.now();
  const good = (id: string, t = now) => JSON.stringify({ video_id: id, ts: t });
  // Each bad message, and the error it must be kept with.
  const bad: [string | Buffer, string | RegExp][] = [
    ['not json at all', /^unparseable message: /],
    ['{"video_id":"cut-off","ts":', /^unparseable message: /],
    [`{"ts":${now}}`, 'video_id is missing or empty'],
    ['{"video_id":"no-time"}', 'ts is missing or empty'],
    [`{"video_id":"","ts":${now}}`, 'video_id is missing or empty'],
    [`{"video_id":"${'v'.repeat(300)}","ts":${now}}`, 'video_id is longer than 256 bytes'],
    ['{"video_id":"when","ts":"yesterday"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    // Times that a lenient parser would guess at: each is refused, not counted at some instant.
    ['{"video_id":"us-date","ts":"12/11/2026"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"hour-25","ts":"2026-11-28T25:00:00Z"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"hour-24","ts":"2026-11-28T24:00:00Z"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"words","ts":"Nov 28 10:00"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"bare-date","ts":"2026-11-28"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"no-such-day","ts":"2026-02-30T00:00:00Z"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['{"video_id":"fraction","ts":"1795822862500.5"}', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    // Bytes that are not UTF-8 inside the id's string.
    [
      Buffer.concat([Buffer.from('{"video_id":"bad-'), Buffer.from([0xff, 0xfe]), Buffer.from(`","ts":${now}}`)]),
      'video_id is not valid UTF-8',
    ],
    [`{"video_id":"future","ts":${now + 2 * DAY}}`, 'ts is more than a day in the future'],
    [`{"video_id":"ancient","ts":${now - 100 * DAY}}`, 'ts is more than 90 days old'],
    // Not a string where one is due: refused for the field, in POST /views's words (the rest of the message counts).
    [`{"video_id":{"nested":1},"ts":${now}}`, 'video_id must be a string'],
    [`{"video_id":["a"],"ts":${now}}`, 'video_id must be a string'],
    [`{"video_id":true,"ts":${now}}`, 'video_id must be a string'],
    [`{"video_id":42,"ts":${now}}`, 'video_id must be a string'],
    [`{"video_id":"arr","ts":[1,2]}`, 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    // What the message's syntax breaks: the whole message is kept, named by the key.
    [`{"video_id":"twice","video_id":"twice","ts":${now}}`, 'video_id appears twice'],
    [`{"video_id":"extra","ts":${now},"user":"u1"}`, 'user is not a field of a view (only video_id and ts)'],
  ];
  // Valid, though they look odd: strings that look like JSON, lower-case t and z, a space for T, digits as text.
  const odd: [string, ViewEvent][] = [
    [JSON.stringify({ video_id: '{}', ts: now }), { videoId: '{}', t: now }],
    [JSON.stringify({ video_id: '[1]', ts: now }), { videoId: '[1]', t: now }],
    [JSON.stringify({ video_id: '{"a":1}', ts: now }), { videoId: '{"a":1}', t: now }],
    [
      JSON.stringify({ video_id: 'lower', ts: new Date(now).toISOString().replace('T', 't').replace('Z', 'z') }),
      { videoId: 'lower', t: now },
    ],
    [JSON.stringify({ video_id: 'spaced', ts: new Date(now).toISOString().replace('T', ' ') }), { videoId: 'spaced', t: now }],
    [JSON.stringify({ video_id: 'digits', ts: String(now) }), { videoId: 'digits', t: now }],
  ];
  // One message mixing good rows and a row that fails validation: the good rows count, the bad one is kept.
  const mixed = [good('mixed-a'), `{"video_id":"","ts":${now}}`, good('mixed-b')].join('\n');
  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;

  beforeAll(async () => {
    ({ app } = await startApp(
      {
        ...isolated(name),
        KAFKA_TOPIC_PARTITIONS: '1',
        INGEST_POLL_INTERVAL_MS: '200',
        INGEST_TOKENS: TOKEN,
      },
      new ManualClock(new Date(now)),
    ));
    clickhouse = app.get(ClickHouseService);
  });

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app.close();
  });

  it('keeps every bad message with its payload and reason, and counts the good rows around them exactly', async () => {
    const events: ViewEvent[] = [];
    const messages: (string | Buffer)[] = [];
    // Good messages before, between and after the bad ones, all on one partition so offsets are in order.
    for (const [i, [message]] of bad.entries()) {
      events.push({ videoId: `before-${i}`, t: now });
      messages.push(good(`before-${i}`), message);
    }
    messages.push(mixed);
    events.push({ videoId: 'mixed-a', t: now }, { videoId: 'mixed-b', t: now });
    for (const [message, event] of odd) {
      messages.push(message);
      events.push(event);
    }
    for (let i = 0; i < 20; i++) {
      messages.push(good(`after-${i % 3}`));
      events.push({ videoId: `after-${i % 3}`, t: now });
    }
    await produce(name, messages, 1);
    const expectedDead = bad.length + 1;
    await waitFor('every good view counted', async () => (await ingestStatus(app)).viewsCounted === events.length, 60_000).catch(
      async (e) => {
        const diag = await clickhouse.select(
          'SELECT (SELECT sum(views) FROM {db:Identifier}.views_total) AS v, (SELECT groupArray((offset, error)) FROM {db:Identifier}.views_dead_letter) AS d',
        );
        const consumers = await app.get(IngestMonitor).consumers();
        throw new Error(
          `${(e as Error).message} (expected ${events.length})\nDIAG ${JSON.stringify(diag)}\n${JSON.stringify(consumers.map((c) => [c.offsets, c.exception_texts]))}`,
        );
      },
    );
    await waitFor('every dead letter kept', async () => (await ingestStatus(app)).deadLetters === expectedDead);

    await rolledUp(app, events.length);
    const counted = await clickhouse.select<{ video_id: string; views: string }>(
      'SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total GROUP BY video_id',
    );
    expect(new Map(counted.map((r) => [r.video_id, Number(r.views)]))).toEqual(recount(events));

    const letters = await clickhouse.select<DeadLetter>('SELECT * FROM {db:Identifier}.views_dead_letter ORDER BY offset');
    expect(letters).toHaveLength(expectedDead);
    for (const [i, [message, error]] of bad.entries()) {
      const letter = letters[i];
      const offset = 2 * i + 1; // good, bad, good, bad, …
      expect({ i, offset: Number(letter.offset), partition: Number(letter.partition), topic: letter.topic }).toEqual({
        i,
        offset,
        partition: 0,
        topic: name,
      });
      expect({ i, error: letter.error }).toEqual({ i, error: typeof error === 'string' ? error : expect.stringMatching(error) });
      // The raw payload: the message itself when it could not be parsed, else the row as read, as JSON.
      if (messageLevel(letter.error)) expect({ i, raw: letter.raw_message }).toEqual({ i, raw: message });
      else if (typeof message === 'string') expect({ i, raw: JSON.parse(letter.raw_message) }).toEqual({ i, raw: rowAsRead(message) });
      else expect(JSON.parse(letter.raw_message)).toMatchObject({ ts: now }); // the id's bytes are not text
      const receivedAt = Date.parse(letter.received_at.endsWith('Z') ? letter.received_at : `${letter.received_at.replace(' ', 'T')}Z`);
      expect(Math.abs(receivedAt - Date.now())).toBeLessThan(10 * 60_000);
    }
    const mixedLetter = letters[bad.length];
    expect({ error: mixedLetter.error, offset: Number(mixedLetter.offset), raw: JSON.parse(mixedLetter.raw_message) }).toEqual({
      error: 'video_id is missing or empty',
      offset: 2 * bad.length,
      raw: { video_id: '', ts: now },
    });

    await waitFor('the metric', async () =>
      new RegExp(`^viewrank_dead_letters_total ${expectedDead}$`, 'm').test((await app.inject({ method: 'GET', url: '/metrics' })).body),
    );
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
    expect({ status: badLimit.statusCode, message: badLimit.json().message }).toEqual({
      status: 400,
      message: ['limit must be between 1 and 10000'],
    });
    const badCursor = await get('?cursor=bm90LWEtY3Vyc29y');
    expect({ status: badCursor.statusCode, message: badCursor.json().message }).toEqual({
      status: 400,
      message: ['cursor must be the X-Next-Cursor value of a previous page'],
    });
    // Pages by cursor: three at a time, newest first, every letter once.
    const pages: DeadLetter[] = [];
    let cursor = '';
    for (let n = 0; n < 20; n++) {
      const page = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...(page.json() as DeadLetter[]));
      cursor = page.headers['x-next-cursor'] as string;
      if (!cursor) break;
      expect(page.headers.link).toBe(`</dead-letters?limit=3&cursor=${cursor}>; rel="next"`);
    }
    expect(pages).toEqual(letters);
  });

  it('bounds a listing by bytes: large payloads are cut, paged, and each can be fetched whole, with memory bounded', async () => {
    // 80 MB of 1 MB payloads, and 600 of 3 KB: more previews than one page holds.
    const big = Array.from({ length: 80 }, (_, i) => `garbage-${i}-`.padEnd(1_000_000, String.fromCharCode(97 + (i % 26))));
    const medium = Array.from({ length: 600 }, (_, i) => `medium-${i}-`.padEnd(3000, 'm'));
    await produce(name, big, 1, 1); // one per request: a request holds at most 1 MiB
    await produce(name, medium, 1);
    const total = bad.length + 1 + big.length + medium.length;
    await waitFor('the large dead letters kept', async () => (await ingestStatus(app)).deadLetters === total, 120_000);
    const get = (query: string) =>
      app.inject({ method: 'GET', url: `/dead-letters${query}`, headers: { authorization: `Bearer ${TOKEN}` } });
    // What the service holds in JavaScript (heap and buffers), not the process's RSS, which counts the embedded
    // engine's own reading of the column too (RSS grew by 96-101 MiB here, either side of any fixed bound).
    const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const heldBefore = held();
    let heldPeak = heldBefore;
    const seen: DeadLetter[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await get(`?limit=10000&error=unparseable${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      expect(page.body.length).toBeLessThan(1.5 * 1_048_576); // about one MiB of previews per page, whatever the limit
      seen.push(...(page.json() as DeadLetter[]));
      cursor = page.headers['x-next-cursor'] as string;
      heldPeak = Math.max(heldPeak, held());
      pages++;
    } while (cursor);
    const large = seen.filter((l) => l.raw_bytes === 1_000_000);
    expect(large).toHaveLength(big.length);
    expect(seen.filter((l) => l.raw_bytes === 3000)).toHaveLength(medium.length);
    expect(new Set(seen.map((l) => l.offset)).size).toBe(seen.length); // every letter once
    expect(pages).toBeGreaterThan(1);
    for (const letter of large) {
      expect(letter.truncated).toBe(true);
      expect(letter.raw_message).toHaveLength(2048);
    }
    expect(seen.filter((l) => !l.truncated).every((l) => l.raw_bytes === Buffer.byteLength(l.raw_message))).toBe(true);
    // One whole, as produced.
    const one = large[17];
    const whole = await get(`/${one.partition}/${one.offset}/raw`);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(big).toContain(whole.body);
    expect(whole.body.startsWith(one.raw_message)).toBe(true);
    expect((await get('/0/999999999/raw')).statusCode).toBe(404);
    expect((await get('/0/-1/raw')).statusCode).toBe(400);
    expect((await get('/99999999999999999999/0/raw')).statusCode).toBe(400);
    // Listing 80 MB of dead letters did not load them: the service held far less than their size at any time.
    expect(heldPeak - heldBefore).toBeLessThan(40 * 1_048_576);
  });
});
