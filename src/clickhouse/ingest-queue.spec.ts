import { loadConfig } from '../config/app-config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineSettings, planQueue, QUEUE_DEFINITION } from './ingest-queue';

// engine_full as system.tables shows it for the two kinds of queue table (values as configured by default).
const atLeastOnce =
  "Kafka SETTINGS kafka_broker_list = '127.0.0.1:9092', kafka_topic_list = 'video-views', kafka_group_name = 'viewrank', " +
  "kafka_format = 'JSONEachRow', kafka_num_consumers = 2, kafka_max_block_size = 1048576, kafka_flush_interval_ms = 1000, " +
  "kafka_handle_error_mode = 'stream', input_format_skip_unknown_fields = 1";
// Exactly once as the previous release created it: the flush interval as configured, the poll's wait the default.
const exactlyOnceBefore = atLeastOnce.replace(
  "kafka_group_name = 'viewrank', ",
  "kafka_group_name = 'viewrank', kafka_keeper_path = '/viewrank/viewrank/views_queue/abc', kafka_replica_name = 'viewrank', ",
);
// Exactly once now: one poll per block, waiting up to KAFKA_FLUSH_INTERVAL_MS.
const exactlyOnce = exactlyOnceBefore.replace(
  'kafka_flush_interval_ms = 1000, ',
  'kafka_flush_interval_ms = 1, kafka_poll_timeout_ms = 1000, ',
);

describe('engineSettings', () => {
  it('reads quoted and bare values, unescaping quotes', () => {
    const settings = engineSettings("Kafka SETTINGS a = 'x,y', b = 12, c = 'it\\'s'");
    expect([...settings]).toEqual([
      ['a', 'x,y'],
      ['b', '12'],
      ['c', "it's"],
    ]);
  });
});

describe('planQueue', () => {
  const exactly = loadConfig({});
  const atLeast = loadConfig({ INGEST_GUARANTEE: 'at-least-once' });

  it('creates the queue when there is none, exactly-once on a new Keeper path by default', () => {
    expect(planQueue(exactly, { viewExists: false }, 'g1')).toEqual({
      action: 'create',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/g1',
      reason: 'no queue table yet',
    });
    expect(planQueue(atLeast, { viewExists: false }, 'g1')).toMatchObject({
      action: 'create',
      guarantee: 'at-least-once',
      keeperPath: undefined,
    });
  });

  it('keeps a queue in the configured guarantee and settings', () => {
    expect(planQueue(exactly, { engineFull: exactlyOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g2')).toEqual({
      action: 'keep',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
    });
    expect(planQueue(atLeast, { engineFull: atLeastOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g2')).toMatchObject({
      action: 'keep',
    });
  });

  it('switches guarantee; from at-least-once to a new Keeper path, never an older one', () => {
    expect(planQueue(exactly, { engineFull: atLeastOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g3')).toMatchObject({
      action: 'create',
      keeperPath: '/viewrank/viewrank/views_queue/g3',
      reason: 'switching from at-least-once',
    });
    expect(planQueue(atLeast, { engineFull: exactlyOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g3')).toMatchObject({
      action: 'create',
      keeperPath: undefined,
      reason: 'switching from exactly-once',
    });
  });

  it('recreates on a changed engine setting, keeping the Keeper path so a half-written block is still replayed whole', () => {
    const threeConsumers = loadConfig({ KAFKA_CONSUMERS: '3', KAFKA_FLUSH_INTERVAL_MS: '500' });
    expect(planQueue(threeConsumers, { engineFull: exactlyOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g4')).toEqual({
      action: 'create',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
      reason: 'changed: kafka_num_consumers, kafka_poll_timeout_ms',
    });
  });

  it('recreates on a changed message format, and keeps a queue already in it', () => {
    const tsv = loadConfig({ KAFKA_FORMAT: 'TSV' });
    expect(planQueue(tsv, { engineFull: exactlyOnce, comment: QUEUE_DEFINITION, viewExists: true }, 'g7')).toEqual({
      action: 'create',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
      reason: 'changed: kafka_format',
    });
    const tsvQueue = exactlyOnce.replace("kafka_format = 'JSONEachRow'", "kafka_format = 'TSV'");
    expect(planQueue(tsv, { engineFull: tsvQueue, comment: QUEUE_DEFINITION, viewExists: true }, 'g7').action).toBe('keep');
  });

  it('recreates an exactly-once queue that could end a block between two polls, on its Keeper path', () => {
    expect(planQueue(exactly, { engineFull: exactlyOnceBefore, comment: QUEUE_DEFINITION, viewExists: true }, 'g6')).toEqual({
      action: 'create',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
      reason: 'changed: kafka_flush_interval_ms, kafka_poll_timeout_ms',
    });
  });

  it('creates only the view when only the view is missing (a migration paused ingestion), keeping the table and its intents', () => {
    expect(planQueue(exactly, { engineFull: exactlyOnce, comment: QUEUE_DEFINITION, viewExists: false }, 'g5')).toEqual({
      action: 'view',
      guarantee: 'exactly-once',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
      reason: 'its view is missing',
    });
  });

  it('recreates a queue of an older definition (its COMMENT), and every queue file carries this one', () => {
    expect(planQueue(exactly, { engineFull: exactlyOnce, comment: '', viewExists: true }, 'g8')).toMatchObject({
      action: 'create',
      keeperPath: '/viewrank/viewrank/views_queue/abc',
      reason: 'its definition changed',
    });
    for (const file of ['queue/views_queue_exactly_once.sql', 'queue/views_queue_at_least_once.sql', 'cluster/queue.sql']) {
      expect(readFileSync(join(__dirname, '../../clickhouse', file), 'utf8')).toContain(`COMMENT '${QUEUE_DEFINITION}'`);
    }
  });
});
