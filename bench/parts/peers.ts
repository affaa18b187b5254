// The alternatives a team would otherwise build, fed the same stream (the same pre-filled Kafka topic that
// viewrank drained) in the same run, each on loopback, started here from Debian's packages: Redis sorted sets
// (peers/redis.ts) and PostgreSQL counter rows (peers/postgres.ts). Both read Kafka through a kafkajs consumer in
// this process, as a team's own consumer would; this file feeds them, reads them and compares them with viewrank.
import { Kafka, logLevel } from 'kafkajs';
import { sameTop } from '../lib/compare';
import { CpuMeter, memoryMiB } from '../lib/processes';
import { maximum, percentile, sleep, until } from '../lib/service';
import { BenchContext } from './context';
import { RankedVideo } from '../../src/top-k/ranking';
import { READ_CONNECTIONS, READ_KS, ReadRun } from './reads';
import { Peer } from './peers/peer';
import { startPostgres } from './peers/postgres';
import { startRedis } from './peers/redis';

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
