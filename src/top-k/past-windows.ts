// Which past hour, day or month an instant asks for, whether its counts are still kept, and when its list is final.
// Pure: the caller supplies "now" (the Clock) and the settings.
import { Interval, TumblingWindow, tumblingWindow } from './windows';

export interface PastWindowRules {
  /** TTL of hour and day rows (views_by_hour, views_by_day), in days: RETENTION_HOUR_DAYS. */
  hourDays: number;
  /** TTL of month rows (views_by_month), in months: RETENTION_MONTH_MONTHS. */
  monthMonths: number;
  /** A window's list is final this long after its end, once ingestion has caught up with that instant. */
  lateToleranceMs: number;
}

const DAY_MS = 86_400_000;

/** When the counting table's rows of the window starting at `start` expire (the table's TTL, from the period's start). */
export function expiresAt(window: TumblingWindow, start: Date, rules: PastWindowRules): Date {
  if (window !== 'month') return new Date(start.getTime() + rules.hourDays * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + rules.monthMonths, 1));
}

/**
 * The instants `at` may name at `now`: from the start of the oldest window whose rows are all still kept (a window is
 * answered whole or not at all) to now. Both inclusive.
 */
export function validRange(window: TumblingWindow, now: Date, rules: PastWindowRules): { earliest: Date; latest: Date } {
  // The oldest window still kept is the one that contains now minus the retention, or the next one.
  const reach =
    window === 'month'
      ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - rules.monthMonths, 1))
      : new Date(now.getTime() - rules.hourDays * DAY_MS);
  let oldest = tumblingWindow(window, reach);
  while (expiresAt(window, oldest.start, rules).getTime() <= now.getTime()) oldest = tumblingWindow(window, oldest.end);
  return { earliest: oldest.start, latest: now };
}

export type PastWindowRequest =
  | { kind: 'invalid'; reason: string }
  | { kind: 'current' }
  | {
      kind: 'past';
      interval: Interval;
      /** The instant from which the list may be final: the window's end plus the late tolerance. */
      finalFrom: Date;
    };

/** What `at` asks for in `window` at `now`: the current window, a past one, or nothing that can be answered. */
export function pastWindowRequest(window: TumblingWindow, at: Date, now: Date, rules: PastWindowRules): PastWindowRequest {
  const { earliest, latest } = validRange(window, now, rules);
  if (at.getTime() < earliest.getTime() || at.getTime() > latest.getTime()) {
    const when = at.getTime() > latest.getTime() ? 'is in the future' : `is older than the ${window} counts kept`;
    return {
      kind: 'invalid',
      reason: `at ${at.toISOString()} ${when}: for window=${window} it must be between ${earliest.toISOString()} and ${latest.toISOString()} (now)`,
    };
  }
  const interval = tumblingWindow(window, at);
  if (interval.end.getTime() > now.getTime()) return { kind: 'current' };
  return { kind: 'past', interval, finalFrom: new Date(interval.end.getTime() + rules.lateToleranceMs) };
}
