// What one run of the suite measured, as bench/results/suite-<date>.json holds it: written by suite.ts, read by
// summary.ts (bench/RESULTS.md, the chart) and by the bench smoke test.
import { BenchContext } from './parts/context';
import type { Headline } from './goals';
import { FreshnessResult } from './parts/freshness';
import { DrainRun, SteadyStep } from './parts/ingest';
import { PeerIngest } from './parts/peers';
import { PhysicalResult } from './parts/physical';
import type { PrecomputeRow } from './precompute';
import { ReadRun } from './parts/reads';

export interface SuiteResult {
  benchmark: string;
  date: string;
  machine: string;
  clickhouse: string;
  size: 'smoke' | 'default';
  sizes: BenchContext['sizes'];
  ingest: { drain: DrainRun[]; steady: SteadyStep[] };
  physical: PhysicalResult[];
  freshness?: FreshnessResult;
  reads: ReadRun[];
  peers: PeerIngest[];
  precompute?: { date: string; rounds: number; results: PrecomputeRow[] };
  /** The previous full run's headline figures, set beside this run's in the goals table. */
  previous?: { file: string; date: string; headline: Headline };
}
