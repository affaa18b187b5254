// What every part of the benchmark suite is given: its size and where the shared broker runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sizes {
  /** Views pre-filled for each drain run (at 100 views per message; other batch sizes scale it). */
  drainViews: number;
  /** Steady load (load generator and service side by side): seconds per step, and the rates tried in turn. */
  steadySeconds: number;
  steadyRates: number[];
  catalogue: number;
  skew: number;
  /** Rows for the direct-insert runs. */
  physicalRows: number;
  freshnessProbes: number;
  /** Views/s of background load during the freshness and read runs. */
  backgroundRate: number;
  readSeconds: number;
  batchSizes: number[];
  /** Kafka engine settings tried, each against the default. */
  tunings: Record<string, string>[];
  precomputeArgs: string[];
}

export const SIZES: Record<'smoke' | 'default', Sizes> = {
  smoke: {
    drainViews: 100_000,
    steadySeconds: 3,
    steadyRates: [20_000],
    catalogue: 100_000,
    skew: 1,
    physicalRows: 200_000,
    freshnessProbes: 2,
    backgroundRate: 10_000,
    readSeconds: 1,
    batchSizes: [100],
    tunings: [{ INGEST_GUARANTEE: 'at-least-once' }, { KAFKA_FORMAT: 'TSV' }],
    precomputeArgs: ['--smoke'],
  },
  default: {
    drainViews: 5_000_000,
    steadySeconds: 20,
    steadyRates: [100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000],
    catalogue: 1_000_000,
    skew: 1,
    physicalRows: 10_000_000,
    freshnessProbes: 20,
    backgroundRate: 100_000,
    readSeconds: 10,
    batchSizes: [1, 10, 100, 1000],
    // The first is not a tuning but the cost of exactly-once (the default): the same drain at least once. The next is
    // an earlier default (one consumer), to show what the change gains. (Engine threads at nice 0 were another, until
    // ENGINE_THREAD_NICE became a constant: bench/RESULTS.md keeps those runs.)
    tunings: [
      { INGEST_GUARANTEE: 'at-least-once' },
      { KAFKA_CONSUMERS: '1' },
      { KAFKA_MAX_BLOCK_SIZE: '65536' },
      // The compact wire format: the same views as TSV lines, on a topic the load generator fills in that format.
      { KAFKA_FORMAT: 'TSV' },
    ],
    precomputeArgs: ['--sizes=1000000,10000000', '--updates=10000,100000'],
  },
};

/**
 * Freshness: a probe not visible this long after it was produced ends the part (the service is not keeping up), and
 * is recorded as this latency, which the goals table reads as "> 120 s".
 */
export const PROBE_TIMEOUT_MS = 120_000;

export interface BenchContext {
  smoke: boolean;
  sizes: Sizes;
  brokers: string[];
  brokerPid?: number;
}

export function brokerPid(): number | undefined {
  try {
    return Number(readFileSync(join(__dirname, `../../.cache/kafka/broker-${process.env.KAFKA_PORT ?? 9092}.pid`), 'utf8'));
  } catch {
    return undefined;
  }
}
