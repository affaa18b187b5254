// Window boundaries: plain functions of an instant, all in UTC.

export const TUMBLING_WINDOWS = ['hour', 'day', 'month'] as const;
export const WINDOWS = ['last-hour', ...TUMBLING_WINDOWS, 'all-time'] as const;
export type TumblingWindow = (typeof TUMBLING_WINDOWS)[number];
export type WindowName = (typeof WINDOWS)[number];

/** The largest k served and precomputed. */
export const MAX_K = 1000;

/** A half-open interval [start, end) of event time. */
export interface Interval {
  start: Date;
  end: Date;
}

/** Every event time ClickHouse's DateTime holds (1970 to 2106): the all-time window as an interval. */
export const ALL_TIME: Interval = { start: new Date(0), end: new Date(Date.UTC(2106, 0, 1)) };

/**
 * The current tumbling window at `now`: the UTC hour, day or month that contains it, as [start, end).
 * Views count in the window of their event time, so a late view still lands in the window it belongs to.
 */
export function tumblingWindow(window: TumblingWindow, now: Date): Interval {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (window) {
    case 'hour': {
      const start = Date.UTC(y, m, d, now.getUTCHours());
      return { start: new Date(start), end: new Date(start + 3_600_000) };
    }
    case 'day':
      return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
    case 'month':
      return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  }
}

export function isTumbling(window: WindowName): window is TumblingWindow {
  return (TUMBLING_WINDOWS as readonly string[]).includes(window);
}
