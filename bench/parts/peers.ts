// The alternatives a team would otherwise build, fed the same stream (the same pre-filled Kafka topic that
// viewrank drained) in the same run, each on loopback, started here from Debian's packages:
//  - Redis sorted sets: ZINCRBY per view into one sorted set per tumbling window (hour, day, month, all-time),
//    pipelined; ZREVRANGE 0 k-1 WITHSCORES to read.
//  - PostgreSQL, the write-up's first design: a counter row per video and per (hour, video), an index on the count,
//    ORDER BY views DESC LIMIT k to read. Each Kafka batch becomes one upsert per table in which PostgreSQL groups
//    the batch's views per key (a row cannot be updated twice by one statement): the friendliest way to run it.
// Both read Kafka through a kafkajs consumer in this process, as a team's own consumer would.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { freePort } from '../../test/support/service-process';
import { sameTop } from '../lib/compare';
import { CpuMeter, memoryMiB } from '../lib/processes';
import { maximum, percentile, sleep, until, waitForPort } from '../lib/service';
import { BenchContext } from './context';
import { RankedVideo } from '../../src/top-k/ranking';
import { READ_CONNECTIONS, READ_KS, ReadRun } from './reads';

export interface PeerIngest {
  system: string;
  views: number;
  seconds: number;
  viewsPerSecond: number;
  /** Average cores busy: the peer's server, and the consumer feeding it. */
  cores: Record<string, number>;
  /** The server's memory once everything is in (Pss), and the size of what it stores (Redis: used_memory). */
  memoryMiB: number;
  dataMiB: number;
  /** Its all-time top 1000 equals viewrank's on the same stream. */
  sameTopAsViewrank: boolean;
}

interface Peer {
  name: string;
  /** Kafka partitions fed at once: Redis takes overlapping pipelines; PostgreSQL upserts from one connection, in
   *  order (concurrent upserts of the same hot videos would deadlock). */
  concurrency: number;
  pid: number;
  apply(views: { id: string; ts: number }[]): Promise<void>;
  /** Run once everything is in, before the reads. */
  settle(): Promise<void>;
  top(k: number): Promise<RankedVideo[]>;
  dataMiB(): Promise<number>;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

// Servers still running if the suite ends early (an error, Ctrl-C): stopped on the way out, never left behind.
const running = new Map<ChildProcess, () => void>();
process.once('exit', () => {
  for (const stop of running.values()) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
});
const windowKeys = (ts: number) => {
  const iso = new Date(ts).toISOString();
  return [`hour:${iso.slice(0, 13)}`, `day:${iso.slice(0, 10)}`, `month:${iso.slice(0, 7)}`, 'all-time'];
};

async function startRedis(): Promise<Peer> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  running.set(server, () => server.kill('SIGKILL'));
  await waitForPort(port, 'redis-server');
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
  return {
    name: 'Redis sorted sets',
    concurrency: 4,
    pid: server.pid!,
    async apply(views) {
      const pipeline = redis.pipeline();
      for (const view of views) for (const key of windowKeys(view.ts)) pipeline.zincrby(key, 1, view.id);
      await pipeline.exec();
    },
    async settle() {},
    async top(k) {
      const flat = await redis.zrevrange('all-time', 0, k - 1, 'WITHSCORES');
      return Array.from({ length: flat.length / 2 }, (_, i) => ({ videoId: flat[2 * i], views: Number(flat[2 * i + 1]) }));
    },
    async dataMiB() {
      return Math.round(Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]) / 2 ** 20);
    },
    async stop() {
      redis.disconnect();
      await stopChild(server);
      running.delete(server);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_SCHEMA = `
  CREATE TABLE video_counts (video_id text PRIMARY KEY, views bigint NOT NULL);
  CREATE INDEX video_counts_by_views ON video_counts (views DESC, video_id);
  CREATE TABLE video_hour_counts (hour timestamptz, video_id text, views bigint NOT NULL, PRIMARY KEY (hour, video_id));
  CREATE INDEX video_hour_counts_by_views ON video_hour_counts (hour, views DESC, video_id);`;
const PG_UPSERT_TOTAL = `INSERT INTO video_counts (video_id, views) SELECT v, count(*) FROM unnest($1::text[]) AS v GROUP BY v
  ON CONFLICT (video_id) DO UPDATE SET views = video_counts.views + EXCLUDED.views`;
const PG_UPSERT_HOUR = `INSERT INTO video_hour_counts (hour, video_id, views)
  SELECT to_timestamp(h * 3600), v, count(*) FROM unnest($2::bigint[], $1::text[]) AS t(h, v) GROUP BY h, v
  ON CONFLICT (hour, video_id) DO UPDATE SET views = video_hour_counts.views + EXCLUDED.views`;
// The ORDER BY names the table's column: an output column of the same name (say, views::int AS views) would be
// sorted instead, and the index could not serve the order (half a second per read at a million videos).
const PG_TOP = 'SELECT video_id, views FROM video_counts ORDER BY video_counts.views DESC, video_counts.video_id LIMIT $1';

async function startPostgres(): Promise<Peer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'viewrank-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // PostgreSQL refuses to run as root: its own user runs it (the Debian package creates 'postgres').
  execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], {
    stdio: 'ignore',
  });
  const server = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      `${PG_BIN}/postgres`,
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'synchronous_commit=off',
      '-c',
      'shared_buffers=1GB',
      '-c',
      'max_wal_size=4GB',
    ],
    { stdio: 'ignore' },
  );
  const pgStop = () =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'immediate'], { stdio: 'ignore' });
  running.set(server, pgStop);
  const connection = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' };
  await waitForPort(port, 'postgres');
  let client = new Client(connection);
  await until(
    'postgres to accept connections (it refuses them while starting up)',
    async () => {
      client = new Client(connection);
      return client.connect().then(
        () => true,
        () => false,
      );
    },
    30_000,
    200,
  );
  await client.query(PG_SCHEMA);
  const reads = new Pool({ ...connection, max: READ_CONNECTIONS });
  return {
    name: 'PostgreSQL counter rows',
    concurrency: 1,
    pid: server.pid!,
    async apply(views) {
      const ids = views.map((v) => v.id);
      await client.query('BEGIN');
      await client.query(PG_UPSERT_TOTAL, [ids]);
      await client.query(PG_UPSERT_HOUR, [ids, views.map((v) => Math.floor(v.ts / HOUR))]);
      await client.query('COMMIT');
    },
    async settle() {
      // What autovacuum would do in time: without it, the freshly updated index is full of dead entries.
      await client.query('VACUUM ANALYZE');
    },
    async top(k) {
      const { rows } = await reads.query<{ video_id: string; views: string }>(PG_TOP, [k]);
      return rows.map((row) => ({ videoId: row.video_id, views: Number(row.views) }));
    },
    async dataMiB() {
      return Math.round(Number((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0].size) / 2 ** 20);
    },
    async stop() {
      await reads.end();
      await client.end();
      execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'fast'], { stdio: 'ignore' });
      await stopChild(server);
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads the whole topic from its start and feeds the peer, chunk by chunk; returns the seconds from first to last view. */
async function feed(ctx: BenchContext, topic: string, views: number, peer: Peer): Promise<number> {
  const kafka = new Kafka({ clientId: 'viewrank-bench-peer', brokers: ctx.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `peer-${peer.pid}-${Date.now()}`, maxBytes: 16 * 2 ** 20 });
  let applied = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: peer.concurrency,
    eachBatch: async ({ batch }) => {
      let chunk: { id: string; ts: number }[] = [];
      for (const message of batch.messages) {
        for (const line of message.value!.toString().split('\n')) {
          if (line === '') continue;
          const view = JSON.parse(line) as { video_id: string; ts: number };
          chunk.push({ id: view.video_id, ts: view.ts });
        }
        if (chunk.length >= 5_000) {
          if (first === 0) first = performance.now();
          await peer.apply(chunk);
          applied += chunk.length;
          chunk = [];
        }
      }
      if (chunk.length > 0) {
        if (first === 0) first = performance.now();
        await peer.apply(chunk);
        applied += chunk.length;
      }
      last = performance.now();
    },
  });
  try {
    await until(`${peer.name} to take ${views} views`, async () => applied >= views, 3_600_000, 100);
  } finally {
    await consumer.disconnect();
  }
  if (applied !== views) throw new Error(`${peer.name} took ${applied} views for ${views}`);
  return (last - first) / 1000;
}

async function peerReads(ctx: BenchContext, peer: Peer): Promise<ReadRun[]> {
  const runs: ReadRun[] = [];
  for (const k of READ_KS) {
    const latencies: number[] = [];
    const deadline = performance.now() + ctx.sizes.readSeconds * 1000;
    await Promise.all(
      Array.from({ length: READ_CONNECTIONS }, async () => {
        while (performance.now() < deadline) {
          const started = performance.now();
          await peer.top(k);
          latencies.push(performance.now() - started);
        }
      }),
    );
    const round = (ms: number) => +ms.toFixed(2);
    runs.push({
      system: peer.name,
      k,
      ingest: false,
      requestsPerSecond: Math.round(latencies.length / ctx.sizes.readSeconds),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(maximum(latencies)),
      errors: 0,
    });
  }
  return runs;
}

export async function peers(
  ctx: BenchContext,
  topic: string,
  views: number,
  viewrankTop: RankedVideo[],
): Promise<{ ingest: PeerIngest[]; reads: ReadRun[] }> {
  const ingest: PeerIngest[] = [];
  const reads: ReadRun[] = [];
  for (const start of [startRedis, startPostgres]) {
    const peer = await start();
    try {
      // The consumer runs in this process, the peer's server is its child: each is measured on its own.
      const meter = new CpuMeter({ server: peer.pid }).start();
      const [consumerCpu, started] = [process.cpuUsage(), performance.now()];
      const seconds = await feed(ctx, topic, views, peer);
      const { user, system } = process.cpuUsage(consumerCpu);
      const cores = { ...meter.stop(), consumer: +((user + system) / 1000 / (performance.now() - started)).toFixed(2) };
      await sleep(500);
      const result: PeerIngest = {
        system: peer.name,
        views,
        seconds: +seconds.toFixed(2),
        viewsPerSecond: Math.round(views / seconds),
        cores,
        memoryMiB: memoryMiB(peer.pid).pss,
        dataMiB: await peer.dataMiB(),
        sameTopAsViewrank: sameTop(await peer.top(1000), viewrankTop),
      };
      console.log('peer', JSON.stringify(result));
      ingest.push(result);
      await peer.settle();
      reads.push(...(await peerReads(ctx, peer)));
    } finally {
      await peer.stop();
    }
  }
  return { ingest, reads };
}
