// "Accepted means counted": fast-check throws every kind of id and time it can think of at POST /views (real HTTP,
// real Kafka, real ClickHouse). Each batch is either refused whole with a 400 that names the event and field, or
// answered 202; and then exactly the accepted views are counted, each under its own id at its own instant, with
// nothing dead-lettered. The same definition of a valid view holds on both sides of the topic.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { SystemClock } from '../src/clock/clock';
import { eventTimeMs } from '../src/ingest/view-events';
import { isolated, startApp, waitFor } from './support/app';
import { uniqueName } from './support/kafka';
import { ingestStatus } from './support/ingest-status';

const TOKEN = 'accepted-counted-token-0123456789';
const DAY = 86_400_000;

/** Times near now (never within a minute of the accepted range's edges, where the two clocks could disagree). */
const instantArb = fc
  .oneof(
    { weight: 6, arbitrary: fc.integer({ min: -20 * DAY, max: DAY - 60_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: DAY + 60_000, max: 3 * DAY }) },
    { weight: 1, arbitrary: fc.integer({ min: -200 * DAY, max: -90 * DAY - 60_000 }) },
  )
  .map((delta) => Date.now() + delta);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const rfc3339 = (t: number, variant: { lower: boolean; space: boolean; fraction: number; offsetMin: number }) => {
  const shifted = new Date(t + variant.offsetMin * 60_000);
  const date = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  const time = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`;
  const fraction = variant.fraction
    ? `.${pad(shifted.getUTCMilliseconds(), 3)}${'0'.repeat(Math.max(0, variant.fraction - 3))}`.slice(0, variant.fraction + 1)
    : '';
  const sign = variant.offsetMin < 0 ? '-' : '+';
  const zone =
    variant.offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(variant.offsetMin) / 60))}:${pad(Math.abs(variant.offsetMin) % 60)}`;
  const text = `${date}${variant.space ? ' ' : 'T'}${time}${fraction}${zone}`;
  return variant.lower ? text.replace('T', 't').replace('Z', 'z') : text;
};

/** A ts in every shape: valid (numbers, digit strings, RFC 3339 variants) and not (guessable or plainly wrong). */
const tsArb: fc.Arbitrary<unknown> = fc.oneof(
  instantArb,
  instantArb.map(String),
  fc
    .tuple(
      instantArb,
      fc.record({
        lower: fc.boolean(),
        space: fc.boolean(),
        fraction: fc.integer({ min: 0, max: 9 }),
        offsetMin: fc.integer({ min: -12 * 60, max: 14 * 60 }),
      }),
    )
    .map(([t, v]) => rfc3339(t, v)),
  instantArb.map((t) => t + 0.5),
  instantArb.map((t) => new Date(t).toISOString().slice(0, 10) + 'T24:00:00Z'),
  instantArb.map((t) => new Date(t).toISOString().slice(0, 10)),
  instantArb.map((t) => new Date(t).toISOString().slice(0, 19)),
  instantArb.map((t) => new Date(t).toUTCString()),
  instantArb.map((t) => `${pad(new Date(t).getUTCMonth() + 1)}/${pad(new Date(t).getUTCDate())}/${new Date(t).getUTCFullYear()}`),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2026-11-28T25:00:00Z',
    '2026-11-28T10:60:00Z',
    '2026-11-28T10:00:60Z',
    'yesterday',
    '',
    ' ',
    '-1',
    '1e12',
  ),
  fc.constantFrom(true, false, null, {}, [], [1]),
);

/** An id in every shape: text of every kind (JSON-looking, control characters, half an emoji, too long) and not text. */
const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 0, maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{}',
      '[1]',
      ' {"a":1}',
      'null',
      'true',
      '"q"',
      '\0',
      'vid-\ud800',
      '\udfff',
      '\u{1F3AC}',
      'é'.repeat(128),
      'é'.repeat(129),
      'x'.repeat(257),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(42, true, null, {}, ['a']) },
);

/** Mostly events of valid shapes (so that many batches are accepted), with anything at all mixed in. */
const inRange = fc.integer({ min: -20 * DAY, max: DAY - 60_000 }).map((delta) => Date.now() + delta);
const validTsArb = fc.oneof(
  inRange,
  inRange.map(String),
  fc
    .tuple(
      inRange,
      fc.record({
        lower: fc.boolean(),
        space: fc.boolean(),
        fraction: fc.integer({ min: 0, max: 9 }),
        offsetMin: fc.integer({ min: -12 * 60, max: 14 * 60 }),
      }),
    )
    .map(([t, v]) => rfc3339(t, v)),
);
const validIdArb = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom('{}', '[1]', ' {"a":1}', 'null', '\0', '\u{1F3AC}', 'é'.repeat(128)),
);
const eventArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ video_id: validIdArb, ts: validTsArb }) },
  { weight: 1, arbitrary: fc.record({ video_id: idArb, ts: tsArb }) },
);

describe('POST /views: accepted means counted, for every id and time (real HTTP, Kafka, ClickHouse)', () => {
  const name = uniqueName('accept');
  let app: NestFastifyApplication;

  beforeAll(async () => {
    ({ app } = await startApp(
      {
        ...isolated(name),
        INGEST_TOKENS: TOKEN,
        INGEST_RATE_LIMIT: '1000000',
        INGEST_POLL_INTERVAL_MS: '500',
      },
      new SystemClock(),
    ));
  });

  afterAll(async () => {
    await app
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app.close();
  });

  it('answers each batch 202 or a 400 naming the event, and counts exactly what it accepted', async () => {
    /** Accepted views per id and UTC hour of their time, as this side reads the time. */
    const accepted = new Map<string, number>();
    const key = (id: string, ts: unknown) => JSON.stringify([id, Math.floor(eventTimeMs(ts)! / 3_600_000) * 3_600_000]);
    let acceptedViews = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 5 }), async (views) => {
        const response = await app.inject({
          method: 'POST',
          url: '/views',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ views }),
        });
        if (response.statusCode === 202) {
          expect(response.json()).toEqual({ accepted: views.length });
          for (const view of views)
            accepted.set(key(view.video_id as string, view.ts), (accepted.get(key(view.video_id as string, view.ts)) ?? 0) + 1);
          acceptedViews += views.length;
        } else {
          expect({ status: response.statusCode, body: response.json() }).toEqual({
            status: 400,
            body: {
              statusCode: 400,
              error: 'Bad Request',
              message: expect.arrayContaining([expect.stringMatching(/^views\.\d+\.(video_id|ts) /)]),
            },
          });
          refused++;
        }
      }),
      { numRuns: 300 },
    );
    // Both answers happened often enough for the comparison to mean something.
    expect(acceptedViews).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(50);

    await waitFor(`${acceptedViews} accepted views counted`, async () => (await ingestStatus(app)).viewsCounted >= acceptedViews, 120_000);
    await new Promise((r) => setTimeout(r, 2000)); // nothing more arrives
    const status = await ingestStatus(app);
    expect({ counted: status.viewsCounted, deadLetters: status.deadLetters }).toEqual({ counted: acceptedViews, deadLetters: 0 });
    // Each under its own id, in the hour its time names (as ClickHouse read it), once rolled up into the hours.
    const hours = async () =>
      new Map(
        (
          await app
            .get(ClickHouseService)
            .select<{ video_id: string; hour_ms: string; views: string }>(
              'SELECT video_id, toString(toUnixTimestamp(hour) * 1000) AS hour_ms, toString(sum(views)) AS views FROM {db:Identifier}.views_by_hour GROUP BY video_id, hour',
            )
        ).map((r) => [JSON.stringify([r.video_id, Number(r.hour_ms)]), Number(r.views)]),
      );
    await waitFor(
      'the accepted views rolled up into the hours',
      async () => [...(await hours()).values()].reduce((a, b) => a + b, 0) >= acceptedViews,
      30_000,
    );
    expect(await hours()).toEqual(accepted);
  }, 600_000);
});
