// Whether a precomputed list may still be served, and how stale it is. Pure: the controller supplies the instant.
import { Interval, WINDOW_SPECS, WindowName } from './windows';

export interface ServedList {
  window: WindowName;
  interval?: Interval;
  computedAt: Date;
}

export type Availability = { serve: true; ageMs: number; stale: boolean } | { serve: false; reason: string };

export interface StalenessOptions {
  /** 0 when refreshes only run on demand (then nothing is called stale before maxStalenessMs). */
  refreshIntervalMs: number;
  maxStalenessMs: number;
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
  if (ageMs > options.maxStalenessMs) {
    return {
      serve: false,
      reason: `the newest ${list.window} list was computed at ${list.computedAt.toISOString()}, ${Math.round(ageMs / 1000)} s ago, beyond the ${Math.round(options.maxStalenessMs / 1000)} s limit: refreshes are failing`,
    };
  }
  return { serve: true, ageMs, stale: options.refreshIntervalMs > 0 && ageMs > 2 * options.refreshIntervalMs };
}
