// The replay itself, made on purpose (real processes, real Kafka, real ZooKeeper, real ClickHouse): a crash between
// writing a block and saving its offset leaves in ZooKeeper the offset before the block and the block's size (its
// "intent"), and the Kafka engine then reads the same messages again. Here the service writes a block and stops
// cleanly; the test then puts ZooKeeper back in the state such a crash leaves (scripts/zookeeper.sh cli), and starts
// the service again. Every table must hold each view once: the replayed block is dropped everywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectInChild } from './support/chdb-child';
import { isolated, waitFor } from './support/app';
import { produce, TEST_BROKERS, uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';
import { queuePartition, zookeeperCli as zk } from './support/zookeeper';

const MESSAGES = 40;
const VIEWS_PER_MESSAGE = 20;

describe('a replayed block (exactly once)', () => {
  const name = uniqueName('replay');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-replay-'));
  let service: ServiceProcess | undefined;

  const start = async () => {
    service = new ServiceProcess({
      PORT: String(await freePort()),
      CHDB_PATH: dataDir,
      ...isolated(name),
      KAFKA_BROKERS: TEST_BROKERS.join(','),
      KAFKA_TOPIC_PARTITIONS: '1',
      REFRESH_INTERVAL_MS: '1000',
      INGEST_POLL_INTERVAL_MS: '500',
      LOG_LEVEL: 'warn',
    });
    await service.start({ ready: 'listening' });
  };

  const sums = () =>
    selectInChild<Record<string, string>>(
      dataDir,
      name,
      `SELECT (SELECT sum(views) FROM {db:Identifier}.views_by_minute) AS views_by_minute,
              (SELECT sum(views) FROM {db:Identifier}.views_by_hour) AS views_by_hour,
              (SELECT sum(views) FROM {db:Identifier}.views_by_day) AS views_by_day,
              (SELECT sum(views) FROM {db:Identifier}.views_by_month) AS views_by_month,
              (SELECT sum(views) FROM {db:Identifier}.views_total) AS views_total,
              (SELECT sum(views) FROM {db:Identifier}.views_recent) AS views_recent,
              (SELECT sum(on_time) FROM {db:Identifier}.views_by_minute) AS views_by_minute_on_time,
              (SELECT sum(views) FROM {db:Identifier}.ingest_counts) AS ingest_counts`,
    )[0];

  afterAll(async () => {
    await service?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'is dropped by every table the Kafka engine feeds',
    async () => {
      // All messages on the topic before the service starts: the engine reads them as one block.
      const now = Date.now();
      await produce(
        name,
        Array.from({ length: MESSAGES }, (_, m) =>
          Array.from({ length: VIEWS_PER_MESSAGE }, (_, v) =>
            JSON.stringify({ video_id: `r${(m * VIEWS_PER_MESSAGE + v) % 37}`, ts: now }),
          ).join('\n'),
        ),
        1,
        MESSAGES,
      );
      await start();
      const views = MESSAGES * VIEWS_PER_MESSAGE;
      await waitFor(`${views} views counted`, async () => (await service!.viewsCounted()) === views, 60_000, 250);
      expect(await service!.stop('SIGTERM')).toBe(0);
      const before = sums();
      expect(new Set(Object.values(before).map(Number))).toEqual(new Set([views]));

      // What a crash between the write and the offset's save leaves: the offset before the block, and its size.
      const partition = queuePartition(name);
      expect(partition.committed()).toBe(String(MESSAGES));
      partition.crash(MESSAGES);
      // Producers do not wait for the crash to be over: more messages are on the partition behind the block, as after a
      // crash or a ZooKeeper outage under load. The replay must still be the block, not the block and what follows it.
      await produce(
        name,
        Array.from({ length: MESSAGES }, (_, m) =>
          Array.from({ length: VIEWS_PER_MESSAGE }, (_, v) =>
            JSON.stringify({ video_id: `s${(m * VIEWS_PER_MESSAGE + v) % 41}`, ts: now }),
          ).join('\n'),
        ),
        1,
        MESSAGES,
      );

      await start();
      // The engine has read the partition again, and what followed, once ZooKeeper holds the offset after both.
      await waitFor('the block and the next read', async () => partition.committed() === String(2 * MESSAGES), 60_000, 1000);
      // The engine took the intent node as its own: it removes it once the offset is saved.
      expect(zk('ls', partition.path)).not.toMatch(/\bintention\b/);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await service!.viewsCounted()).toBe(2 * views);
      expect(await service!.stop('SIGTERM')).toBe(0);
      expect(new Set(Object.values(sums()).map(Number))).toEqual(new Set([2 * views]));
    },
    5 * 60_000,
  );
});
