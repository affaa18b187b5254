// What one run of the suite measured, as bench/results/suite-<date>.json holds it: written by suite.ts, read by
// summary.ts (bench/RESULTS.md, the chart) and by the bench smoke test.
import { BenchContext } from './parts/context';
import { FreshnessResult } from './parts/freshness';
import { DrainRun, SteadyStep } from './parts/ingest';
import { PeerIngest } from './parts/peers';
import { PhysicalResult } from './parts/physical';
import type { ChainCost } from './lib/chain-cost';
import type { PrecomputeRow } from './precompute';
import { PageRender, ReadRun } from './parts/reads';

export interface SuiteResult {
  benchmark: string;
  date: string;
  machine: string;
  clickhouse: string;
  size: 'smoke' | 'default';
  sizes: BenchContext['sizes'];
  ingest: { drain: DrainRun[]; steady: SteadyStep[] };
  physical: PhysicalResult[];
  /** The counting chain's cost per view and per block (the physical part; runs before 2026-12-07 lack it). */
  chainCost?: ChainCost;
  freshness?: FreshnessResult;
  reads: ReadRun[];
  /** The leaderboard page with the top 100 of every window, in Chromium (runs before 2026-12-07 lack it). */
  page?: PageRender[];
  peers: PeerIngest[];
  precompute?: { date: string; rounds: number; results: PrecomputeRow[] };
  /** The previous full run's headline figures, set beside this run's in the goals table. */
  previous?: { file: string; date: string; headline: Headline };
  /**
   * With `--runs=N` (N > 1), in the last run's file: every run's headline figures, this one's last, each with the file
   * that holds all of its figures. The goals are judged on their medians.
   */
  runs?: { file: string; date: string; headline: Headline }[];
}

/** The few figures every goal is judged on, as one run measured them (undefined: the run left that part out). */
export interface Headline {
  /** Drain of the pre-filled topic, 100 views per message, default settings. */
  drainViewsPerSecond?: number;
  /** Steady load beside the load generator, 100 views per message, defaults: the highest rate kept up, and the first not. */
  steadyKeptUpPerSecond?: number;
  steadyFellBehindPerSecond?: number;
  /** Freshness p99 per window, ms. */
  freshnessP99Ms?: Record<string, number>;
  /** Reads of the all-time list at k = 1000, 10 connections, while ingesting: p99 ms. */
  readP99MsUnderIngest?: number;
  /** One video's numbers (GET /videos/{id}/views), a new id every request, 10 connections, while ingesting: p99 ms. */
  videoP99MsUnderIngest?: number;
  /** The counting chain from the parsed stream on: µs a view in 100,000-view blocks, and ms a one-row block. */
  chainPerViewMicroseconds?: number;
  chainPerBlockMs?: number;
  /** The service's memory (Pss) after the 100-views-per-message drain, and each peer's in the same run, MiB. */
  memoryMiB?: number;
  peersMemoryMiB?: Record<string, number>;
}
