// The sliding last-hour window as plain functions: which minutes it covers, which have closed, and which
// steps (snapshot, add, subtract) bring the maintained state up to a given instant.

import { RankedVideo, topK } from './ranking';

export const MINUTE_MS = 60_000;
export const LAST_HOUR_MINUTES = 60;

export type LastHourStep = 'snapshot' | 'add' | 'subtract';

export interface PlannedStep {
  /** Start of the minute, epoch ms. */
  minute: number;
  step: LastHourStep;
}

export function minuteStart(instantMs: number): number {
  return Math.floor(instantMs / MINUTE_MS) * MINUTE_MS;
}

/** last-hour at `now`: the current minute and the 59 before it, as [start, end). */
export function lastHourWindow(now: Date): { start: Date; end: Date } {
  const current = minuteStart(now.getTime());
  return { start: new Date(current - (LAST_HOUR_MINUTES - 1) * MINUTE_MS), end: new Date(current + MINUTE_MS) };
}

/**
 * The newest minute that may close at `instantMs` by the clock: a minute closes once its end plus the late tolerance
 * has passed, and (see planLastHourSteps) once ClickHouse holds every message Kafka appended by then.
 */
export function newestClosedMinute(instantMs: number, lateToleranceMs: number): number {
  return minuteStart(instantMs - MINUTE_MS - lateToleranceMs);
}

/** The instant a minute closes by Kafka's clock: views whose message was appended by then are on time. */
export function closingInstant(minute: number, lateToleranceMs: number): number {
  return minute + MINUTE_MS + lateToleranceMs;
}

export interface LastHourPlan {
  steps: PlannedStep[];
  /** Minutes up to and including this one are in the state; later ones are read live (-Infinity: none yet). */
  closedThrough: number;
  /** The clock is behind minutes already added: the state cannot be rolled back, so nothing is planned. */
  clockBehindState: boolean;
}

type Ledger = ReadonlyMap<number, ReadonlySet<LastHourStep>>;

function newestAdded(ledger: Ledger): number {
  return Math.max(-Infinity, ...[...ledger].filter(([, steps]) => steps.has('add')).map(([m]) => m));
}

/**
 * The closing instants of the minutes due to close at `now`: minutes of the window after the newest one added whose
 * end plus the tolerance has passed by the clock, oldest first. Whether each may close depends on ingestion.
 */
export function closingInstantsDue(nowMs: number, lateToleranceMs: number, ledger: Ledger): number[] {
  const windowStart = minuteStart(nowMs) - (LAST_HOUR_MINUTES - 1) * MINUTE_MS;
  const instants: number[] = [];
  const first = Math.max(windowStart, newestAdded(ledger) + MINUTE_MS);
  for (let minute = first; minute <= newestClosedMinute(nowMs, lateToleranceMs); minute += MINUTE_MS) {
    instants.push(closingInstant(minute, lateToleranceMs));
  }
  return instants;
}

/**
 * The newest of `instants` (ascending) that `covered` accepts, or -Infinity. Coverage is monotonic (if ClickHouse
 * holds everything appended by t, it holds everything appended before t), so a binary search asks about log2(n).
 */
export async function newestCovered(instants: readonly number[], covered: (instantMs: number) => Promise<boolean>): Promise<number> {
  let lo = 0;
  let hi = instants.length - 1;
  let found = -Infinity;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (await covered(instants[mid])) {
      found = instants[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Steps that bring the state to `now`, given the steps the ledger has recorded per minute.
 * - every added minute that has left the window is subtracted (from its snapshot);
 * - every minute of the window that has closed and is not yet added is snapshotted (unless it already was) and
 *   added. A minute has closed once its end plus the late tolerance has passed by the clock and is at most
 *   `ingestedThrough`: an instant by which ClickHouse holds every message Kafka had appended. So a minute is frozen
 *   only when all its on-time views are in, however late ingestion runs; until then it is read live.
 * Minutes that closed and left the window while nothing ran are never added, so they need no subtraction.
 * Re-planning after a partial run yields exactly the missing steps, so running a plan twice is harmless.
 */
export function planLastHourSteps(nowMs: number, lateToleranceMs: number, ledger: Ledger, ingestedThrough = Infinity): LastHourPlan {
  const windowStart = minuteStart(nowMs) - (LAST_HOUR_MINUTES - 1) * MINUTE_MS;
  const added = newestAdded(ledger);
  if (added > newestClosedMinute(nowMs, lateToleranceMs)) return { steps: [], closedThrough: added, clockBehindState: true };
  // Never below what was added: an ingestion watermark that cannot be read (or went back) closes nothing new.
  const closedThrough = Math.max(added, newestClosedMinute(Math.min(nowMs, ingestedThrough), lateToleranceMs));
  const has = (minute: number, step: LastHourStep) => ledger.get(minute)?.has(step) ?? false;

  const steps: PlannedStep[] = [];
  for (const minute of [...ledger.keys()].sort((a, b) => a - b)) {
    if (minute < windowStart && has(minute, 'add') && !has(minute, 'subtract')) steps.push({ minute, step: 'subtract' });
  }
  for (let minute = windowStart; minute <= closedThrough; minute += MINUTE_MS) {
    if (has(minute, 'add')) continue;
    if (!has(minute, 'snapshot')) steps.push({ minute, step: 'snapshot' });
    steps.push({ minute, step: 'add' });
  }
  return { steps, closedThrough, clockBehindState: false };
}

// Ranking the sliding hour without reading the whole state each refresh. The state (the closed minutes of the
// window) changes only with a step, about once a minute; between two steps a refresh adds the open minutes to the
// state's top n, read once after the step. Every video's total is its state plus its open views (both ≥ 0):
// - θ, the k-th state of the top, is a floor of the list's k-th total (open views only add);
// - B, the n-th, bounds the state of every video outside the top (0 when the top holds the whole state).
// So a video outside the top can reach the list only if its open views reach θ − B (outsiderFloor): only those are
// read, and only their state is looked up. Which videos are read changes the cost, never the answer.

/** The least open views a video outside the state's top `stateTop` (its first n) needs to reach the top k. */
export function outsiderFloor(stateTop: readonly RankedVideo[], k: number, n: number): number {
  const theta = stateTop.length >= k ? stateTop[k - 1].views : 0;
  const bound = stateTop.length >= n ? stateTop[n - 1].views : 0;
  return Math.max(1, theta - bound);
}

/**
 * The top k of the sliding hour from the state's top (its first n, or the whole state if shorter), the open views of
 * every video of that top and of every other video whose open views reach outsiderFloor, and the exact state of
 * those others (absent: none).
 */
export function rankLastHour(
  stateTop: readonly RankedVideo[],
  open: ReadonlyMap<string, number>,
  outsiderState: ReadonlyMap<string, number>,
  k: number,
): RankedVideo[] {
  const totals = new Map<string, number>(stateTop.map((e) => [e.videoId, e.views]));
  for (const [videoId, views] of open) totals.set(videoId, (totals.get(videoId) ?? outsiderState.get(videoId) ?? 0) + views);
  return topK(totals, k);
}

/**
 * What the state is after the steps of `ledger` and `ran`: the state's top stays valid while it is the same. Minutes
 * that age out of the ledger's read change it too, which only costs a read of the top once a minute.
 */
export function ledgerKey(ledger: Ledger, ran: readonly PlannedStep[]): string {
  const steps = [...ledger].flatMap(([minute, set]) => [...set].map((step) => `${minute}:${step}`));
  steps.push(...ran.map(({ minute, step }) => `${minute}:${step}`));
  return [...new Set(steps)].sort().join(',');
}
