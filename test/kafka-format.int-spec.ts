// A views topic in TSV (KAFKA_FORMAT=TSV, issue #17's compact wire format), end to end on real Kafka and real
// ClickHouse: views produced as TSV lines and views posted over HTTP (which the service writes as TSV) are counted
// exactly against a recount, ids with tabs, line feeds and backslashes included; a message that is not two fields a
// line and a row that fails validation are kept as dead letters, the good rows around them counted.
import fc from 'fast-check';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { toKafkaMessages, tsvField } from '../src/ingest/view-events';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { generateStream, recount, ViewEvent } from './support/stream';
import { ingestStatus, rolledUp } from './support/ingest-status';

const MINUTE = 60_000;
const TOKEN = 'ingest-token-tsv-0123456789';
// Ids a TSV producer must escape, and ones it must leave alone.
const ODD_IDS = ['tab\there', 'line\nfeed', 'back\\slash', 'cr\rhere', '\\t-literal', 'quote"s', "apos'", 'é-ü-\u{1F3AC}', '{}'];

interface DeadLetter {
  offset: string;
  error: string;
  raw_message: string;
}

describe('a TSV views topic (KAFKA_FORMAT=TSV, real Kafka, real ClickHouse)', () => {
  const name = uniqueName('tsv');
  const now = Date.now();
  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;

  beforeAll(async () => {
    ({ app } = await startApp(
      { ...isolated(name), KAFKA_FORMAT: 'TSV', KAFKA_TOPIC_PARTITIONS: '1', INGEST_POLL_INTERVAL_MS: '200', INGEST_TOKENS: TOKEN },
      new ManualClock(new Date(now)),
    ));
    clickhouse = app.get(ClickHouseService);
  });

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC').catch(() => undefined);
    await app.close();
  });

  it('reads back every string as the service escapes it (ClickHouse parsing TabSeparated)', async () => {
    const special = fc.constantFrom('\\', '\t', '\n', '\r', 't', 'n', '\0');
    const strings = fc.sample(fc.string({ unit: fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) }), 300);
    const rows = await clickhouse.select<{ s: string }>("SELECT s FROM format(TSV, 's String', {data:String})", {
      data: strings.map((s) => `${tsvField(s)}\n`).join(''),
    });
    expect(rows.map((r) => r.s)).toEqual(strings);
  });

  it('counts TSV views exactly, keeps malformed messages and invalid rows as dead letters', async () => {
    const events = generateStream({ seed: 5, views: 4000, videos: 300, segments: [{ from: now - 30 * MINUTE, to: now, weight: 1 }] });
    events.push(...ODD_IDS.flatMap((videoId, i) => Array.from({ length: i + 1 }, () => ({ videoId, t: now }))));
    const good = toKafkaMessages(
      events.map((e, i) => ({ video_id: e.videoId, ts: i % 2 ? e.t : new Date(e.t).toISOString() })),
      'TSV',
      97,
    );
    // Each bad message, the good one after it, and the error it must be kept with.
    const bad: [string, string | RegExp][] = [
      ['only-one-field', /^unparseable message: /],
      [`three\t${now}\tfields`, /^unparseable message: /],
      [`\t${now}`, 'video_id is missing or empty'],
      ['no-time\t', 'ts is missing or empty'],
      ['when\tyesterday', 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
      [`future\t${now + 2 * 86_400_000}`, 'ts is more than a day in the future'],
    ];
    const messages: string[] = [];
    for (const [i, message] of good.entries()) {
      messages.push(message);
      if (i < bad.length) messages.push(bad[i][0]);
    }
    await produce(name, messages, 1);
    await waitFor('every good view counted', async () => (await ingestStatus(app)).viewsCounted === events.length, 90_000);
    await waitFor('every dead letter kept', async () => (await ingestStatus(app)).deadLetters === bad.length);

    await rolledUp(app, events.length);
    const counted = await clickhouse.select<{ video_id: string; views: string }>(
      'SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total GROUP BY video_id',
    );
    expect(new Map(counted.map((r) => [r.video_id, Number(r.views)]))).toEqual(recount(events));
    const letters = await clickhouse.select<DeadLetter>(
      'SELECT offset, error, raw_message FROM {db:Identifier}.views_dead_letter ORDER BY offset',
    );
    expect(letters.map((l) => Number(l.offset))).toEqual(bad.map((_, i) => 2 * i + 1));
    for (const [i, [message, error]] of bad.entries()) {
      expect({ i, error: letters[i].error }).toEqual({ i, error: typeof error === 'string' ? error : expect.stringMatching(error) });
      // The message itself when it could not be parsed, else the row as read, as JSON.
      if (letters[i].error.startsWith('unparseable')) expect({ i, raw: letters[i].raw_message }).toEqual({ i, raw: message });
      else {
        const [video_id, ts] = message.split('\t');
        expect({ i, raw: JSON.parse(letters[i].raw_message) }).toEqual({ i, raw: { video_id, ts } });
      }
    }
  });

  it('writes views posted over HTTP in the topic format, and counts them exactly', async () => {
    const before = new Map(
      (
        await clickhouse.select<{ video_id: string; views: string }>(
          'SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total GROUP BY video_id',
        )
      ).map((r) => [r.video_id, Number(r.views)]),
    );
    const counted = (await ingestStatus(app)).viewsCounted;
    const posted: ViewEvent[] = ODD_IDS.flatMap((videoId, i) => Array.from({ length: 2 * i + 1 }, () => ({ videoId, t: now - MINUTE })));
    const response = await app.inject({
      method: 'POST',
      url: '/views',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: { views: posted.map((e) => ({ video_id: e.videoId, ts: e.t })) },
    });
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 202, body: { accepted: posted.length } });
    await waitFor('the posted views counted', async () => (await ingestStatus(app)).viewsCounted === counted + posted.length, 60_000);
    const added = async () =>
      new Map(
        (
          await clickhouse.select<{ video_id: string; views: string }>(
            'SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total WHERE video_id IN {ids:Array(String)} GROUP BY video_id',
            { ids: ODD_IDS },
          )
        ).map((r) => [r.video_id, Number(r.views) - (before.get(r.video_id) ?? 0)]),
      );
    await waitFor(
      'the posted views rolled up',
      async () => [...(await added()).values()].reduce((a, b) => a + b, 0) >= posted.length,
      30_000,
    );
    expect(await added()).toEqual(recount(posted));
    expect((await ingestStatus(app)).deadLetters).toBe(6);
  });
});
