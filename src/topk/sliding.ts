// The sliding last-hour window as plain functions: which minutes it covers, which have closed, and which
// steps (snapshot, add, subtract) bring the maintained state up to a given instant.

export const MINUTE_MS = 60_000;
export const LAST_HOUR_MINUTES = 60;

export type SlidingStep = 'snapshot' | 'add' | 'subtract';

export interface PlannedStep {
  /** Start of the minute, epoch ms. */
  minute: number;
  step: SlidingStep;
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
 * The newest minute that has closed at `now`: a minute closes once its end plus the late tolerance has passed.
 * Its counts are then frozen; views for it arriving later are set aside from last-hour (and counted elsewhere).
 */
export function newestClosedMinute(nowMs: number, lateToleranceMs: number): number {
  return minuteStart(nowMs - MINUTE_MS - lateToleranceMs);
}

export interface SlidingPlan {
  steps: PlannedStep[];
  /** Minutes up to and including this one are in the state; later ones are read live. */
  closedThrough: number;
  /** The clock is behind minutes already added: the state cannot be rolled back, so nothing is planned. */
  clockBehindState: boolean;
}

/**
 * Steps that bring the state to `now`, given the steps the ledger has recorded per minute.
 * - every added minute that has left the window is subtracted (from its snapshot);
 * - every closed minute in the window not yet added is snapshotted (unless it already was) and added.
 * Minutes that closed and left the window while nothing ran are never added, so they need no subtraction.
 * Re-planning after a partial run yields exactly the missing steps, so running a plan twice is harmless.
 */
export function planSlidingSteps(nowMs: number, lateToleranceMs: number, ledger: ReadonlyMap<number, ReadonlySet<SlidingStep>>): SlidingPlan {
  const windowStart = minuteStart(nowMs) - (LAST_HOUR_MINUTES - 1) * MINUTE_MS;
  const closedThrough = newestClosedMinute(nowMs, lateToleranceMs);
  const has = (minute: number, step: SlidingStep) => ledger.get(minute)?.has(step) ?? false;

  const newestAdded = Math.max(-Infinity, ...[...ledger].filter(([, steps]) => steps.has('add')).map(([m]) => m));
  if (newestAdded > closedThrough) return { steps: [], closedThrough, clockBehindState: true };

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

/** The minutes whose counts the state holds after a ledger's steps: added and not subtracted. */
export function minutesInState(ledger: ReadonlyMap<number, ReadonlySet<SlidingStep>>): number[] {
  return [...ledger]
    .filter(([, steps]) => steps.has('add') && !steps.has('subtract'))
    .map(([minute]) => minute)
    .sort((a, b) => a - b);
}
