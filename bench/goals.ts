// The suite's goals (issue #36's step; #17 set the longer-term ones: 1M views/s drained, 600k kept up, 10 ms
// lookups) and the figures each run holds against them: the headline numbers of a run, taken from its results, set
// beside the same numbers from the previous full run. Several runs (npm run bench -- --runs=3) are judged on their
// median, each run's figure shown beside it. Pure: summary.ts renders the rows.
import { PROBE_TIMEOUT_MS } from './parts/context';
import { VIDEO_LOOKUPS } from './parts/reads';
import type { Headline, SuiteResult } from './result';

export type { Headline } from './result';

export interface GoalRow {
  what: string;
  goal: string;
  previous: string;
  now: string;
  /** undefined: this run did not measure it. */
  met?: boolean;
  /** For a goal not met: how far off, in words (e.g. "0.27× the goal"). */
  gap?: string;
  /** With several runs: each run's figure, in run order ("216k views/s · 188k views/s · 226k views/s"). */
  runs?: string;
}

const GOALS = {
  drain: 500_000,
  steady: 300_000,
  freshnessP99Ms: 3000,
  readP99Ms: 5,
  videoP99Ms: 50,
  memoryMiB: 500,
  chainPerViewUs: 2,
  chainPerBlockMs: 10,
};

export function headline(r: SuiteResult): Headline {
  const defaults = (s: Record<string, string>) => Object.keys(s).length === 0;
  const drain = r.ingest.drain.find((d) => d.viewsPerMessage === 100 && defaults(d.settings));
  const steady = r.ingest.steady.filter((s) => s.viewsPerMessage === 100 && defaults(s.settings));
  const keptUp = steady.filter((s) => s.keptUp).map((s) => s.targetPerSecond);
  const behind = steady.filter((s) => !s.keptUp).map((s) => s.targetPerSecond);
  const read = r.reads.find((x) => x.system === 'viewrank' && x.k === 1000 && x.ingest);
  const video = r.reads.find((x) => x.system === VIDEO_LOOKUPS && x.ingest);
  return {
    drainViewsPerSecond: drain?.viewsPerSecond,
    steadyKeptUpPerSecond: steady.length > 0 ? Math.max(0, ...keptUp) : undefined,
    steadyFellBehindPerSecond: behind.length > 0 ? Math.min(...behind) : undefined,
    freshnessP99Ms: r.freshness ? Object.fromEntries(Object.entries(r.freshness.perWindow).map(([w, p]) => [w, p.p99Ms])) : undefined,
    readP99MsUnderIngest: read?.p99Ms,
    ...(video && { videoP99MsUnderIngest: video.p99Ms }),
    chainPerViewMicroseconds: r.chainCost?.perViewMicroseconds,
    chainPerBlockMs: r.chainCost?.perBlockMs,
    memoryMiB: drain?.serviceMiB,
    peersMemoryMiB: r.peers.length > 0 ? Object.fromEntries(r.peers.map((p) => [p.system, p.memoryMiB])) : undefined,
  };
}

const thousands = (v: number) => `${Math.round(v / 1000).toLocaleString('en-US')}k`;
// A freshness probe never seen is recorded as the probe timeout (bench/parts/freshness.ts).
const seconds = (ms: number) => (ms >= PROBE_TIMEOUT_MS ? `> ${PROBE_TIMEOUT_MS / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
const times = (a: number, b: number) => `${(a / b).toFixed(2)}× the goal`;

function steadyText(h: Headline): string | undefined {
  if (h.steadyKeptUpPerSecond === undefined) return undefined;
  const kept = h.steadyKeptUpPerSecond > 0 ? `kept up at ${thousands(h.steadyKeptUpPerSecond)}` : 'kept up at no rate tried';
  return h.steadyFellBehindPerSecond !== undefined ? `${kept}, not at ${thousands(h.steadyFellBehindPerSecond)}` : kept;
}

function freshnessText(p99: Record<string, number> | undefined): string | undefined {
  if (!p99 || Object.keys(p99).length === 0) return undefined;
  const entries = Object.entries(p99).sort((a, b) => a[1] - b[1]);
  const [low, high] = [entries[0], entries.at(-1)!];
  return low[1] === high[1] ? `${seconds(high[1])} (every window)` : `${seconds(low[1])} (${low[0]}) to ${seconds(high[1])} (${high[0]})`;
}

function memoryText(h: Headline): string | undefined {
  if (h.memoryMiB === undefined) return undefined;
  const peers = Object.entries(h.peersMemoryMiB ?? {}).map(([system, mib]) => `${system.split(' ')[0]} ${mib}`);
  return `${h.memoryMiB} MiB${peers.length > 0 ? ` (${peers.join(', ')})` : ''}`;
}

/** A goal of at most `goal` (lower is better): this run's figure and the previous one's, in `unit`. */
function atMost(what: string, goal: number, unit: string, now: number | undefined, previous: number | undefined): GoalRow {
  const show = (value: number | undefined) => (value !== undefined ? `${value} ${unit}` : 'not measured');
  return {
    what,
    goal: `≤ ${goal} ${unit}`,
    previous: show(previous),
    now: show(now),
    met: now === undefined ? undefined : now <= goal,
    gap: now !== undefined && now > goal ? times(now, goal) : undefined,
  };
}

/** One row per goal: this run's figure beside the previous run's, and whether the goal is met. */
export function goalRows(now: Headline, previous: Headline | undefined): GoalRow[] {
  const show = (text: string | undefined) => text ?? 'not measured';
  const rows: GoalRow[] = [];
  const drain = now.drainViewsPerSecond;
  rows.push({
    what: 'drain, 100 views/message',
    goal: `≥ ${GOALS.drain.toLocaleString('en-US')} views/s on 2 cores`,
    previous: show(previous?.drainViewsPerSecond !== undefined ? `${thousands(previous.drainViewsPerSecond)} views/s` : undefined),
    now: show(drain !== undefined ? `${thousands(drain)} views/s` : undefined),
    met: drain === undefined ? undefined : drain >= GOALS.drain,
    gap: drain !== undefined && drain < GOALS.drain ? times(drain, GOALS.drain) : undefined,
  });
  const steady = now.steadyKeptUpPerSecond;
  rows.push({
    what: 'steady, load generator beside it',
    goal: `kept up at ≥ ${GOALS.steady.toLocaleString('en-US')} views/s`,
    previous: show(previous && steadyText(previous)),
    now: show(steadyText(now)),
    met: steady === undefined ? undefined : steady >= GOALS.steady,
    gap:
      steady === undefined || steady >= GOALS.steady
        ? undefined
        : steady === 0
          ? 'fell behind at the lowest rate tried'
          : times(steady, GOALS.steady),
  });
  const worst =
    now.freshnessP99Ms && Object.keys(now.freshnessP99Ms).length > 0 ? Math.max(...Object.values(now.freshnessP99Ms)) : undefined;
  rows.push({
    what: 'freshness p99, produce → visible',
    goal: `≤ ${seconds(GOALS.freshnessP99Ms)} in every window`,
    previous: show(freshnessText(previous?.freshnessP99Ms)),
    now: show(freshnessText(now.freshnessP99Ms)),
    met: worst === undefined ? undefined : worst <= GOALS.freshnessP99Ms,
    gap:
      worst === undefined || worst <= GOALS.freshnessP99Ms
        ? undefined
        : worst >= PROBE_TIMEOUT_MS
          ? `a probe was not visible within ${PROBE_TIMEOUT_MS / 1000} s`
          : `worst window ${times(worst, GOALS.freshnessP99Ms)}`,
  });
  rows.push(
    atMost(
      'reads p99, k = 1000, 10 connections, during ingest',
      GOALS.readP99Ms,
      'ms',
      now.readP99MsUnderIngest,
      previous?.readP99MsUnderIngest,
    ),
  );
  rows.push({
    what: 'memory (Pss) after the drain (the peers in the same run beside it)',
    goal: `≤ ${GOALS.memoryMiB} MiB`,
    previous: show(previous && memoryText(previous)),
    now: show(memoryText(now)),
    met: now.memoryMiB === undefined ? undefined : now.memoryMiB <= GOALS.memoryMiB,
    gap: now.memoryMiB !== undefined && now.memoryMiB > GOALS.memoryMiB ? times(now.memoryMiB, GOALS.memoryMiB) : undefined,
  });
  rows.push(
    atMost(
      "one video's numbers p99, every request a lookup, 10 connections, during ingest",
      GOALS.videoP99Ms,
      'ms',
      now.videoP99MsUnderIngest,
      previous?.videoP99MsUnderIngest,
    ),
    atMost(
      'the counting chain, per view (100,000-view blocks into views_parsed, exactly once)',
      GOALS.chainPerViewUs,
      'µs',
      now.chainPerViewMicroseconds,
      previous?.chainPerViewMicroseconds,
    ),
    atMost(
      'the counting chain, per block (one-row blocks, exactly once)',
      GOALS.chainPerBlockMs,
      'ms',
      now.chainPerBlockMs,
      previous?.chainPerBlockMs,
    ),
  );
  return rows;
}

/** The middle value (the mean of the two middle ones for an even count); undefined when no run measured it. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const sorted = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianRecord(records: readonly (Record<string, number> | undefined)[]): Record<string, number> | undefined {
  const present = records.filter((r): r is Record<string, number> => r !== undefined);
  if (present.length === 0) return undefined;
  const keys = [...new Set(present.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((key) => [key, median(present.map((r) => r[key]))!]));
}

/**
 * Several runs' headlines as one: each figure the median of the runs that measured it (per window for freshness,
 * per peer for memory). The steady rates are medians of the highest rate kept up and of the first one lost.
 */
export function medianHeadline(runs: readonly Headline[]): Headline {
  const of = <K extends keyof Headline>(key: K) => runs.map((h) => h[key]);
  const result: Headline = {
    drainViewsPerSecond: median(of('drainViewsPerSecond')),
    steadyKeptUpPerSecond: median(of('steadyKeptUpPerSecond')),
    steadyFellBehindPerSecond: median(of('steadyFellBehindPerSecond')),
    freshnessP99Ms: medianRecord(of('freshnessP99Ms')),
    readP99MsUnderIngest: median(of('readP99MsUnderIngest')),
    videoP99MsUnderIngest: median(of('videoP99MsUnderIngest')),
    chainPerViewMicroseconds: median(of('chainPerViewMicroseconds')),
    chainPerBlockMs: median(of('chainPerBlockMs')),
    memoryMiB: median(of('memoryMiB')),
    peersMemoryMiB: medianRecord(of('peersMemoryMiB')),
  };
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)) as Headline;
}

/** The goal rows of several runs: judged on their median, each run's own figure kept beside it (`runs`). */
export function goalRowsOfRuns(runs: readonly Headline[], previous: Headline | undefined): GoalRow[] {
  const rows = goalRows(medianHeadline(runs), previous);
  if (runs.length < 2) return rows;
  const each = runs.map((h) => goalRows(h, undefined));
  return rows.map((row, i) => ({ ...row, runs: each.map((r) => r[i].now).join(' · ') }));
}
