// Exactly-once ingestion's schema and its one risk (real Kafka, real ZooKeeper, real ClickHouse): the Kafka engine
// keeps its offsets in ZooKeeper, and every table it feeds drops a block inserted again. Deduplication must drop a
// replayed block because it is the same messages, never two different batches because they look alike: the same
// view of the same video in the same minute, sent again, is a second view. (Replays themselves are produced by the
// SIGKILLs, broker stops and ZooKeeper stop of test/faults.int-spec.ts.)
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { DEDUPLICATION_WINDOW } from '../src/clickhouse/ingest-queue';
import { SystemClock } from '../src/clock/clock';
import { isolated, startApp, waitFor } from './support/app';
import { produce, TEST_BROKERS, uniqueName } from './support/kafka';

describe('exactly-once ingestion (real Kafka, real ZooKeeper, real ClickHouse)', () => {
  const name = uniqueName('once');
  let app: NestFastifyApplication;
  let clickhouse: ClickHouseService;
  const kafka = new Kafka({ clientId: 'viewrank-test', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });

  /** Per table, the views of `videoId` (sum of its views column, or rows for the dead letters). */
  async function countsOf(videoId: string): Promise<Record<string, number>> {
    const [row] = await clickhouse.select<Record<string, string>>(
      `SELECT
         (SELECT sum(views) FROM {db:Identifier}.views_by_minute WHERE video_id = {id:String}) AS views_by_minute,
         (SELECT sum(views) FROM {db:Identifier}.views_by_hour WHERE video_id = {id:String}) AS views_by_hour,
         (SELECT sum(views) FROM {db:Identifier}.views_by_day WHERE video_id = {id:String}) AS views_by_day,
         (SELECT sum(views) FROM {db:Identifier}.views_by_month WHERE video_id = {id:String}) AS views_by_month,
         (SELECT sum(views) FROM {db:Identifier}.views_total WHERE video_id = {id:String}) AS views_total,
         (SELECT sum(views) FROM {db:Identifier}.views_recent WHERE video_id = {id:String}) AS views_recent,
         (SELECT sum(on_time) FROM {db:Identifier}.views_by_minute WHERE video_id = {id:String}) AS views_by_minute_on_time`,
      { id: videoId },
    );
    return Object.fromEntries(Object.entries(row).map(([table, n]) => [table, Number(n)]));
  }

  /**
   * Waits until every table holds `views` views of `videoId`, or fails showing what they hold: the tables are written
   * one after another within a block, and ingested_offsets (which sendBatch waits for) is not the last of them.
   */
  async function expectCounts(videoId: string, views: number): Promise<void> {
    let counts: Record<string, number> = {};
    const expected = () => Object.fromEntries(Object.keys(counts).map((table) => [table, views]));
    await waitFor(
      `${views} views of ${videoId} in every table`,
      async () => {
        counts = await countsOf(videoId);
        return Object.values(counts).every((n) => n === views);
      },
      10_000,
      200,
    ).catch(() => undefined);
    expect(counts).toEqual(expected());
  }

  /** Sends `values` in one request to partition 0, and waits until ClickHouse wrote past them. */
  async function sendBatch(values: string[]): Promise<void> {
    const [{ baseOffset }] = await producer.send({ topic: name, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
    const next = Number(baseOffset) + values.length;
    await waitFor(
      `offset ${next} of partition 0 to be ingested`,
      async () => {
        const [row] = await clickhouse.select<{ next: string }>(
          'SELECT toString(max(next_offset)) AS next FROM {db:Identifier}.ingested_offsets WHERE partition = 0',
        );
        return Number(row?.next ?? 0) >= next;
      },
      60_000,
      200,
    );
  }

  beforeAll(async () => {
    ({ app } = await startApp({ ...isolated(name), KAFKA_FLUSH_INTERVAL_MS: '200' }, new SystemClock()));
    clickhouse = app.get(ClickHouseService);
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer.disconnect();
    await app?.close();
  });

  it('keeps the Kafka offsets in ZooKeeper, and gives every table the Kafka engine feeds a deduplication window', async () => {
    const tables = await clickhouse.select<{ name: string; engine_full: string; create_table_query: string; dependencies_table: string[] }>(
      'SELECT name, engine_full, create_table_query, dependencies_table FROM system.tables WHERE database = {db:String}',
      { db: name },
    );
    const byName = new Map(tables.map((t) => [t.name, t]));
    expect(byName.get('views_queue')!.engine_full).toMatch(new RegExp(`kafka_keeper_path = '/viewrank/${name}/views_queue/[0-9a-z]+'`));
    // Every view's target, followed down from the queue (views_parsed is a Null table: nothing stored, nothing to drop).
    const targets = new Set<string>();
    const pending = ['views_queue'];
    while (pending.length > 0) {
      for (const view of byName.get(pending.pop()!)!.dependencies_table) {
        const to = /\bTO\s+\w+\.(\w+)/.exec(byName.get(view)!.create_table_query)![1];
        if (!targets.has(to)) {
          targets.add(to);
          pending.push(to);
        }
      }
    }
    targets.delete('views_parsed');
    expect([...targets].sort()).toEqual(['ingest_counts', 'ingested_offsets', 'views_by_minute', 'views_dead_letter', 'views_recent']);
    // The grains are the rollup's (migration 0017), deduplicated at any guarantee: a rollup run again is dropped.
    for (const target of ['views_by_hour', 'views_by_day', 'views_by_month', 'views_total', 'views_rollup']) targets.add(target);
    for (const target of targets) {
      const table = tables.find((t) => t.name === target)!;
      expect({ target, window: /non_replicated_deduplication_window = (\d+)/.exec(table.engine_full)?.[1] }).toEqual({
        target,
        window: String(DEDUPLICATION_WINDOW),
      });
    }
  });

  it('counts identical views sent again in separate batches, every time, in every table', async () => {
    await produce(name, []); // creates the topic (LogAppendTime, 4 partitions) if the service has not yet
    const view = JSON.stringify({ video_id: 'twin', ts: Date.now() });
    for (let i = 1; i <= 4; i++) {
      await sendBatch([view]);
      await expectCounts('twin', i);
    }
    // Whole batches alike: three identical messages, then the same three again.
    await sendBatch([view, view, view]);
    await sendBatch([view, view, view]);
    await expectCounts('twin', 10);
  });

  it('keeps each of two identical bad messages as its own dead letter', async () => {
    const bad = '{"video_id":"twin-bad","ts":"yesterday"}';
    await sendBatch([bad]);
    await sendBatch([bad]);
    const rows = await clickhouse.select<{ offset: string }>(
      `SELECT toString(offset) AS offset FROM {db:Identifier}.views_dead_letter WHERE raw_message LIKE '%twin-bad%' ORDER BY offset`,
    );
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.offset)).size).toBe(2);
  });
});
