// Ingest throughput through the real path: load generator → Kafka → Kafka engine in the service's embedded
// ClickHouse → counting views. Two ways: the drain rate of a pre-filled topic (the consumer alone), and the
// steady rate with the load generator running beside the service on the same cores.
import { generateLoad } from '../loadgen';
import { MessageFormat } from '../../src/ingest/view-events';
import { CpuMeter, memoryMiB } from '../lib/processes';
import { BenchService, loadgenProcess, sleep, startService, until } from '../lib/service';
import { withAdmin } from '../../src/kafka/kafka-topic';
import { uniqueName } from '../../test/support/kafka';
import { RankedVideo } from '../../src/top-k/ranking';
import { BenchContext } from './context';

export interface DrainRun {
  viewsPerMessage: number;
  settings: Record<string, string>;
  views: number;
  /** From the consumer group holding its partitions to the first metrics poll that saw every view counted. */
  drainSeconds: number;
  viewsPerSecond: number;
  /** Average cores busy while draining. */
  cores: Record<string, number>;
  /** The service's memory once everything is counted (Pss), its peak, and its data directory on disk. */
  serviceMiB: number;
  servicePeakMiB: number;
  diskMiB: number;
}

export interface SteadyStep {
  viewsPerMessage: number;
  settings: Record<string, string>;
  targetPerSecond: number;
  producedPerSecond: number;
  countedPerSecond: number;
  /** Views produced but not yet counted when the load generator stopped. */
  behindAtEnd: number;
  /** Kept up: at the end it was less than 3 s of production behind (a block flush and a metrics poll). */
  keptUp: boolean;
  cores: Record<string, number>;
}

/** The message format of the topic a service with these settings reads (KAFKA_FORMAT), for the load generator. */
function topicFormat(settings: Record<string, string>): MessageFormat {
  return (settings.KAFKA_FORMAT as MessageFormat | undefined) ?? 'JSONEachRow';
}

/** Waits until every view is counted; returns when (performance.now()). */
async function waitCounted(bench: BenchService, views: number, timeoutMs: number): Promise<number> {
  return until(
    `${views} views counted`,
    async () => {
      const counted = await bench.ingested();
      if (counted > views) throw new Error(`counted ${counted} views for ${views} produced`);
      return counted === views;
    },
    timeoutMs,
    100,
  );
}

/**
 * When the consumer group first holds its partitions (performance.now()), as the broker tells: the moment the Kafka
 * engine can start reading. The drain is timed from here, since one block may hold the whole topic and the count
 * then jumps from nothing to everything.
 */
function partitionsAssigned(brokers: string[], group: string): Promise<number> {
  return withAdmin(brokers, 5, async (admin) => {
    for (const deadline = performance.now() + 120_000; performance.now() < deadline; await sleep(20)) {
      // Any member holding partitions, whatever the group's state: with two consumers the first starts reading
      // while the second is still joining, and the group is not 'Stable' until that rebalance ends.
      const [described] = (await admin.describeGroups([group])).groups;
      if (described?.members.some((m) => m.memberAssignment.length > 0)) return performance.now();
    }
    throw new Error(`consumer group ${group} never got its partitions`);
  });
}

/**
 * How much later than the count a list must be computed to hold every counted view: the count is written by a view
 * beside views_recent's (ingest_counts_views_mv and views_recent_mv both read views_by_minute; the refresh rolls
 * views_recent up into the grains first), and with parallel_view_processing the two are written side by side, so the
 * count can lead views_recent by the rest of one block's write (a smoke run compared a list taken in that gap with
 * the peers'; a block's write takes milliseconds).
 */
const SIBLING_VIEWS_MARGIN_MS = 1000;

export async function allTimeAfter(bench: BenchService, countedAtMs: number): Promise<RankedVideo[]> {
  const wallClockMs = countedAtMs + SIBLING_VIEWS_MARGIN_MS;
  let list: RankedVideo[] = [];
  await until(
    'an all-time list computed after the last view counted',
    async () => {
      const response = await bench.service.topK('all-time', 1000);
      list = response.body as RankedVideo[];
      return Date.parse(response.headers['x-computed-at'] ?? '') > wallClockMs;
    },
    120_000,
    250,
  );
  return list;
}

/** Pre-fills a topic, then starts a fresh service on it and times how fast it counts everything. */
export async function drainRun(
  ctx: BenchContext,
  viewsPerMessage: number,
  views: number,
  settings: Record<string, string> = {},
  keep?: (topic: string, allTime: RankedVideo[]) => void,
): Promise<DrainRun> {
  const topic = uniqueName('drain');
  await generateLoad({
    brokers: ctx.brokers,
    topic,
    partitions: 4,
    rate: 0,
    views,
    videos: ctx.sizes.catalogue,
    skew: ctx.sizes.skew,
    perMessage: viewsPerMessage,
    seed: 1,
    format: topicFormat(settings),
  });
  const name = uniqueName('drain');
  // At least once, the Kafka engine joins the consumer group and reads once the broker assigned it partitions. Exactly
  // once, it takes its partitions by locks in ZooKeeper and never joins the group: it can read once the service
  // listens (the queue table is created before), which is the mark then.
  const keeper = (settings.INGEST_GUARANTEE ?? 'exactly-once') === 'exactly-once';
  const assigned = keeper ? undefined : partitionsAssigned(ctx.brokers, name);
  assigned?.catch(() => undefined); // awaited below; if the start fails first, that is the error to report
  const bench = await startService({ name, topic, env: settings, ready: 'listening' });
  const listening = performance.now();
  try {
    const meter = new CpuMeter({ service: bench.service.pid, broker: ctx.brokerPid }).start();
    const last = await waitCounted(bench, views, 600_000);
    const cores = meter.stop();
    const seconds = (last - (assigned ? await assigned : listening)) / 1000;
    // Should the broker be asked too late (every view counted before the group was seen holding partitions), the
    // run has no valid time: it is kept with a rate of 0 rather than a made-up one.
    if (seconds <= 0)
      console.warn(`drain timing failed for ${JSON.stringify(settings)}: all counted before the group was seen holding partitions`);
    if (keep) keep(topic, await allTimeAfter(bench, Date.now()));
    const memory = memoryMiB(bench.service.pid!); // one walk of /proc for both figures
    const result: DrainRun = {
      viewsPerMessage,
      settings,
      views,
      drainSeconds: +seconds.toFixed(2),
      viewsPerSecond: seconds > 0 ? Math.round(views / seconds) : 0,
      cores,
      serviceMiB: memory.pss,
      servicePeakMiB: memory.peak,
      diskMiB: bench.diskMiB(),
    };
    console.log('drain', JSON.stringify(result));
    return result;
  } finally {
    await bench.stop();
  }
}

/**
 * The load generator beside a running service on the same cores, at rising rates: each step runs for a while, then
 * waits until everything is counted. Stops after the first step the service could not keep up with.
 */
export async function steadyRun(ctx: BenchContext, viewsPerMessage: number, settings: Record<string, string> = {}): Promise<SteadyStep[]> {
  const bench = await startService({ env: settings });
  const steps: SteadyStep[] = [];
  try {
    // A warm-up second, counted before the first step: the steps measure a settled consumer group, not the joins
    // and rebalances of a fresh database's start (its migrations create and replace the Kafka engine table).
    const warmUp = await loadgenProcess({
      topic: bench.topic,
      rate: 1000,
      duration: 1,
      videos: ctx.sizes.catalogue,
      skew: ctx.sizes.skew,
      'per-message': viewsPerMessage,
      seed: 0,
      format: topicFormat(settings),
    }).done;
    let total = warmUp.views;
    await waitCounted(bench, total, 600_000);
    for (const rate of ctx.sizes.steadyRates) {
      const seconds = ctx.sizes.steadySeconds;
      const loadgen = loadgenProcess({
        topic: bench.topic,
        rate,
        duration: seconds,
        videos: ctx.sizes.catalogue,
        skew: ctx.sizes.skew,
        'per-message': viewsPerMessage,
        seed: rate,
        format: topicFormat(settings),
      });
      const meter = new CpuMeter({ service: bench.service.pid, broker: ctx.brokerPid }).start();
      const started = performance.now();
      const produced = await loadgen.done;
      const counted = (await bench.ingested()) - total;
      const elapsed = (performance.now() - started) / 1000;
      const cores = { ...meter.stop(), loadgen: produced.cores };
      total += produced.views;
      await waitCounted(bench, total, 600_000);
      const step: SteadyStep = {
        viewsPerMessage,
        settings,
        targetPerSecond: rate,
        producedPerSecond: produced.viewsPerSecond,
        countedPerSecond: Math.round(counted / elapsed),
        behindAtEnd: produced.views - counted,
        keptUp: produced.views - counted < 3 * produced.viewsPerSecond,
        cores,
      };
      console.log('steady', JSON.stringify(step));
      steps.push(step);
      if (!step.keptUp) break;
    }
  } finally {
    await bench.stop();
  }
  return steps;
}
