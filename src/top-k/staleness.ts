// Whether a precomputed list may still be served, and how stale it is. Pure: the controller supplies the instant.
import { Interval, WINDOW_SPECS, WindowName } from './windows';

export interface ServedList {
  window: WindowName;
  interval?: Interval;
  computedAt: Date;
}

export type Availability = { serve: true; ageMs: number; stale: boolean } | { serve: false; reason: string };

/**
 * How long the last good list is served while refreshes fail (was MAX_STALENESS_MS): 2 h, long enough to ride out an
 * engine or ZooKeeper outage with the lists readers had (marked stale), short enough that a list of a long-broken
 * service is refused rather than passed off as current. Readiness fails long before (READY_MAX_LIST_AGE_MS).
 */
export const MAX_STALENESS_MS = 7_200_000;

export interface StalenessOptions {
  /** 0 when refreshes only run on demand (then nothing is called stale before maxStalenessMs). */
  refreshIntervalMs: number;
  /** MAX_STALENESS_MS unless given (unit tests). */
  maxStalenessMs?: number;
}

/**
 * A list is stale once it is older than two refresh periods (a refresh has failed or is late), and is no longer
 * served once older than maxStalenessMs, or once its tumbling window has ended: last hour's ranking is no answer
 * for this hour.
 */
export function availability(list: ServedList, now: Date, options: StalenessOptions): Availability {
  const ageMs = Math.max(0, now.getTime() - list.computedAt.getTime());
  const spec = WINDOW_SPECS[list.window];
  if (spec.kind === 'tumbling' && list.interval && spec.intervalAt(now)!.start.getTime() !== list.interval.start.getTime()) {
    return {
      serve: false,
      reason: `the ${list.window} window that began at ${list.interval.start.toISOString()} has ended and the new one's list is not computed yet`,
    };
  }
  const maxStalenessMs = options.maxStalenessMs ?? MAX_STALENESS_MS;
  if (ageMs > maxStalenessMs) {
    return {
      serve: false,
      reason: `the newest ${list.window} list was computed at ${list.computedAt.toISOString()}, ${Math.round(ageMs / 1000)} s ago, beyond the ${Math.round(maxStalenessMs / 1000)} s limit: refreshes are failing`,
    };
  }
  return { serve: true, ageMs, stale: options.refreshIntervalMs > 0 && ageMs > 2 * options.refreshIntervalMs };
}
