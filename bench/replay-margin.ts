// How much a replay after a crash can read within the poll's wait (issue #36, item 2). Exactly once, a block is what
// one poll returned, and a block replayed after a crash is read by one poll for the block's recorded size within the
// same wait (clickhouse/queue/views_queue_exactly_once.sql): a replay that gets fewer messages in time writes a
// shorter block, which the deduplication windows do not drop. This measures the margin with real processes, as
// test/replay.int-spec.ts makes a replay: per trial, a one-partition topic of N messages is read by a first service,
// ZooKeeper is set back to what a crash between writing the partition as one block and saving its offset leaves (the
// offset before it, N as the intent), and a second service, cold, replays it. Both services poll with the wait under
// test (a changed wait recreates the queue table, and with it the offsets in Keeper), so a trial is exact only when
// a cold poll gets all N messages within the wait: the first read's poll then took them as one block, and the
// replay's poll took them all again. Not exact means a cold poll got fewer than N in time.
// Then the blocks a drain makes at each wait (drainBlocks): how far above that margin a block under a backlog goes.
// Usage: npm run bench:replay-margin -- [--waits=1000,200] [--messages=1000,4000,16000] [--per-message=100]
//        [--drain-views=3000000 (0: no drains)] [--label=name (of the results file)]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSums } from '../test/support/chdb-child';
import { isolated } from '../test/support/app';
import { produce, TEST_BROKERS, uniqueName } from '../test/support/kafka';
import { freePort, ServiceProcess } from '../test/support/service-process';
import { queuePartition } from '../test/support/zookeeper';
import { generateLoad, viewsMessage } from './loadgen';
import { option } from './lib/args';
import { sleep, startService, until } from './lib/service';
import { run } from './report';

interface Trial {
  waitMs: number;
  messages: number;
  viewsPerMessage: number;
  blockMiB: number;
  /** From the second service's start until ZooKeeper holds the offset after the block. */
  replaySeconds: number;
  /** Views in each table after the replay, and whether each holds every view once. */
  views: Record<string, number>;
  exact: boolean;
}

async function trial(waitMs: number, messages: number, viewsPerMessage: number): Promise<Trial> {
  const name = uniqueName('margin');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-margin-'));
  const now = Date.now();
  const values = Array.from({ length: messages }, (_, m) =>
    viewsMessage(
      Array.from({ length: viewsPerMessage }, (_, v) => `m${(m * viewsPerMessage + v) % 10_007}`),
      now,
    ),
  );
  await produce(name, values, 1, 500);
  const start = async (flushMs: number) => {
    const service = new ServiceProcess({
      PORT: String(await freePort()),
      CHDB_PATH: dataDir,
      ...isolated(name),
      KAFKA_BROKERS: TEST_BROKERS.join(','),
      KAFKA_TOPIC_PARTITIONS: '1',
      KAFKA_FLUSH_INTERVAL_MS: String(flushMs),
      REFRESH_INTERVAL_MS: '1000',
      INGEST_POLL_INTERVAL_MS: '250',
      LOG_LEVEL: 'warn',
    });
    await service.start({ ready: 'listening' });
    return service;
  };
  const total = messages * viewsPerMessage;
  try {
    const first = await start(waitMs);
    await until('the first read', async () => (await first.viewsCounted()) >= total, 300_000, 250);
    await first.stop('SIGTERM');
    const partition = queuePartition(name);
    partition.crash(messages);

    const began = performance.now();
    const second = await start(waitMs);
    const done = await until('the replay', async () => partition.committed() === String(messages), 300_000, 500);
    await sleep(2000);
    await second.stop('SIGTERM');
    const views = tableSums(dataDir, name);
    const result: Trial = {
      waitMs,
      messages,
      viewsPerMessage,
      blockMiB: +(values.reduce((sum, v) => sum + Buffer.byteLength(v), 0) / 2 ** 20).toFixed(1),
      replaySeconds: +((done - began) / 1000).toFixed(1),
      views,
      exact: Object.values(views).every((sum) => sum === total),
    };
    console.log('replay', JSON.stringify(result));
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface DrainBlocks {
  waitMs: number;
  views: number;
  viewsPerMessage: number;
  blocks: number;
  messagesPerBlock: number;
  /** At the size of one message of this many ids as the load generator writes them (ids of its length, not read back). */
  MiBPerBlock: number;
}

/**
 * The blocks a drain makes: a topic of `views` in 4 partitions read by a fresh service, then its Kafka engine's
 * messages read and blocks committed (its metrics, read every 30 s). Under a backlog a poll starts with a full fetch
 * queue, so a block can be larger than what a cold poll gets in the same wait.
 */
async function drainBlocks(waitMs: number, views: number, viewsPerMessage: number): Promise<DrainBlocks> {
  const topic = uniqueName('margin-drain');
  await generateLoad({
    brokers: TEST_BROKERS,
    topic,
    partitions: 4,
    rate: 0,
    views,
    videos: 100_000,
    skew: 1,
    perMessage: viewsPerMessage,
    seed: 1,
  });
  const bench = await startService({ topic, env: { KAFKA_FLUSH_INTERVAL_MS: String(waitMs) }, ready: 'listening' });
  try {
    await until('the drain', async () => (await bench.ingested()) >= views, 600_000, 250);
    await sleep(31_000);
    const messages = (await bench.service.metric('viewrank_kafka_engine_messages_read_total')) ?? NaN;
    const blocks = (await bench.service.metric('viewrank_kafka_engine_blocks_total')) ?? NaN;
    const bytesPerMessage = Buffer.byteLength(
      viewsMessage(
        Array.from({ length: viewsPerMessage }, (_, i) => `v${i * 997}`),
        Date.now(),
      ),
    );
    const result: DrainBlocks = {
      waitMs,
      views,
      viewsPerMessage,
      blocks,
      messagesPerBlock: Math.round(messages / blocks),
      MiBPerBlock: +(((messages / blocks) * bytesPerMessage) / 2 ** 20).toFixed(1),
    };
    console.log('drain', JSON.stringify(result));
    return result;
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const waits = (option('waits') ?? '1000,200').split(',').map(Number);
  const sizes = (option('messages') ?? '1000,4000,16000').split(',').map(Number);
  const perMessage = Number(option('per-message') ?? 100);
  const drainViews = Number(option('drain-views') ?? 3_000_000);
  const trials: Trial[] = [];
  for (const messages of sizes) for (const waitMs of waits) trials.push(await trial(waitMs, messages, perMessage));
  const drains: DrainBlocks[] = [];
  if (drainViews > 0) for (const waitMs of waits) drains.push(await drainBlocks(waitMs, drainViews, perMessage));
  const label = option('label');
  const file = join(__dirname, `results/replay-margin-${new Date().toISOString().slice(0, 10)}${label ? `-${label}` : ''}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), trials, drains }, null, 2) + '\n');
  console.log(`written to ${file}`);
}

run(main);
