// The replay itself, made on purpose (real processes, real Kafka, real ZooKeeper, real ClickHouse): a crash between
// writing a block and saving its offset leaves in ZooKeeper the offset before the block and the block's size (its
// "intent"), and the Kafka engine then reads the same messages again. Here the service writes a block and stops
// cleanly; the test then puts ZooKeeper back in the state such a crash leaves (scripts/zookeeper.sh cli), and starts
// the service again. Every table must hold each view once: the replayed block is dropped everywhere. And when the
// start also replaces the queue table (a Kafka engine setting changed), the old table replays the block first, so a
// table the block had not reached before the crash still gets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { selectInChild, tableSums } from './support/chdb-child';
import { isolated, waitFor } from './support/app';
import { produce, TEST_BROKERS, uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';
import { queuePartition, zookeeperCli as zk } from './support/zookeeper';

const MESSAGES = 40;
const ADMIN_PASSWORD = 'replay-admin-secret';
const VIEWS_PER_MESSAGE = 20;

/** One database, data directory and single-partition topic; the service started and stopped on them. */
function replayCase(prefix: string) {
  const name = uniqueName(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-replay-'));
  let service: ServiceProcess | undefined;
  return {
    name,
    dataDir,
    get service() {
      return service!;
    },
    async start(env: Record<string, string> = {}) {
      service = new ServiceProcess({
        PORT: String(await freePort()),
        CHDB_PATH: dataDir,
        ...isolated(name),
        KAFKA_BROKERS: TEST_BROKERS.join(','),
        KAFKA_TOPIC_PARTITIONS: '1',
        REFRESH_INTERVAL_MS: '1000',
        INGEST_POLL_INTERVAL_MS: '500',
        LOG_LEVEL: 'warn',
        ...env,
      });
      await service.start({ ready: 'listening' });
    },
    /** MESSAGES messages of VIEWS_PER_MESSAGE views, ids `${ids}0`… over `distinct` videos, all stamped `now`. */
    produceBlock(ids: string, distinct: number, now: number) {
      return produce(
        name,
        Array.from({ length: MESSAGES }, (_, m) =>
          Array.from({ length: VIEWS_PER_MESSAGE }, (_, v) =>
            JSON.stringify({ video_id: `${ids}${(m * VIEWS_PER_MESSAGE + v) % distinct}`, ts: now }),
          ).join('\n'),
        ),
        1,
        MESSAGES,
      );
    },
    sums: () => tableSums(dataDir, name),
    /**
     * Waits until `views` are counted and rolled up into the grains (the all-time list, every video of these few, sums
     * to them): the tables are compared after the service stops.
     */
    async counted(views: number) {
      await waitFor(`${views} views counted`, async () => (await service!.viewsCounted()) === views, 60_000, 250);
      const listed = async () => ((await service!.topK('all-time', 1000)).body as { views: number }[]).reduce((s, v) => s + v.views, 0);
      await waitFor(`${views} views rolled up`, async () => (await listed()) === views, 30_000, 250);
    },
    async cleanup() {
      await service?.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('a replayed block (exactly once)', () => {
  const replay = replayCase('replay');
  const replaced = replayCase('replaced');

  afterAll(async () => {
    await replay.cleanup();
    await replaced.cleanup();
  });

  it(
    'is dropped by every table the Kafka engine feeds',
    async () => {
      // All messages on the topic before the service starts: the engine reads them as one block.
      const now = Date.now();
      await replay.produceBlock('r', 37, now);
      await replay.start();
      const views = MESSAGES * VIEWS_PER_MESSAGE;
      await replay.counted(views);
      expect(await replay.service.stop('SIGTERM')).toBe(0);
      const before = replay.sums();
      expect(new Set(Object.values(before).map(Number))).toEqual(new Set([views]));

      // What a crash between the write and the offset's save leaves: the offset before the block, and its size.
      const partition = queuePartition(replay.name);
      expect(partition.committed()).toBe(String(MESSAGES));
      partition.crash(MESSAGES);
      // Producers do not wait for the crash to be over: more messages are on the partition behind the block, as after a
      // crash or a ZooKeeper outage under load. The replay must still be the block, not the block and what follows it.
      await replay.produceBlock('s', 41, now);

      await replay.start();
      // The engine has read the partition again, and what followed, once ZooKeeper holds the offset after both.
      await waitFor('the block and the next read', async () => partition.committed() === String(2 * MESSAGES), 60_000, 1000);
      // The engine took the intent node as its own: it removes it once the offset is saved.
      expect(zk('ls', partition.path)).not.toMatch(/\bintention\b/);
      await new Promise((r) => setTimeout(r, 3000));
      await replay.counted(2 * views);
      expect(await replay.service.stop('SIGTERM')).toBe(0);
      expect(new Set(Object.values(replay.sums()).map(Number))).toEqual(new Set([2 * views]));
    },
    5 * 60_000,
  );

  it(
    'is replayed by the queue table a changed setting replaces, before it goes: a table the block missed still gets it',
    async () => {
      const now = Date.now();
      await replaced.produceBlock('p', 37, now);
      const port = await freePort();
      await replaced.start({ ADMIN_PASSWORD, CLICKHOUSE_HTTP_PORT: String(port) });
      const views = MESSAGES * VIEWS_PER_MESSAGE;
      await replaced.counted(views);
      // A block half-written when the service dies: in every table but ingest_counts (the views write each table on
      // its own), its offset not saved. Made while the service runs, then it is killed: its ZooKeeper session (and the
      // partition locks it holds) outlives it by the session timeout, as after any crash.
      const admin = createClient({ url: `http://127.0.0.1:${port}`, username: 'admin', password: ADMIN_PASSWORD });
      await admin.command({ query: 'TRUNCATE TABLE {db:Identifier}.ingest_counts', query_params: { db: replaced.name } });
      await admin.close();
      queuePartition(replaced.name).crash(MESSAGES);
      await replaced.service.stop('SIGKILL');

      // A Kafka engine setting changed: the queue table is replaced at this start, while the dead session still holds
      // the partition. The replacement starts where ClickHouse's writes end (the consumer group handed over), so only
      // the old table can replay the block, once the session is gone.
      await replaced.start({ KAFKA_MAX_BLOCK_SIZE: '500000', LOG_LEVEL: 'log' });
      // The replacement waited for the old table to settle: the dead session's 6 s, then the replay.
      const created = replaced.service.lines().find((line) => line.includes('queue created'));
      console.log(created);
      expect(created).toMatch(/changed: kafka_max_block_size; the table it replaces settled in \d+ ms/);
      await replaced.produceBlock('q', 41, now);
      await replaced.counted(2 * views);
      await new Promise((r) => setTimeout(r, 3000));
      await replaced.counted(2 * views);
      expect(await replaced.service.stop('SIGTERM')).toBe(0);
      const after = replaced.sums();
      expect(after).toEqual(Object.fromEntries(Object.keys(after).map((table) => [table, 2 * views])));
      const [queue] = selectInChild<{ engine_full: string }>(
        replaced.dataDir,
        replaced.name,
        "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'views_queue'",
      );
      expect(queue.engine_full).toContain('kafka_max_block_size = 500000');
    },
    5 * 60_000,
  );
});
