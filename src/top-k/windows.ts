// The windows: their names, their bounds at an instant (plain functions, all in UTC), and one table of what each is
// (WINDOW_SPECS), which the refresh, the repository and the staleness rules all read.
import { lastHourWindow } from './last-hour';

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

/** The windows whose counts only grow while they last, refreshed incrementally from their counting table. */
export type GrowingWindow = TumblingWindow | 'all-time';

/** What a window is, in one place. */
export interface WindowSpec {
  /** sliding: the last 60 minutes, moving each minute; tumbling: the current UTC hour, day or month; all-time. */
  kind: 'sliding' | 'tumbling' | 'all-time';
  /** The window's instance at an instant, [start, end); undefined for all-time, which has no bounds. */
  intervalAt(now: Date): Interval | undefined;
  /**
   * Where the counts are and how the list is refreshed: the last-hour ledger (src/top-k/last-hour.service.ts),
   * or incrementally from a counting table (src/top-k/window-refresher.ts): one row per (period, video) in `table`,
   * keyed by `period`, or one row per video for all-time.
   */
  refresh: { by: 'ledger' } | { by: 'incremental'; table: string; period?: string };
}

export const WINDOW_SPECS: Record<WindowName, WindowSpec> = {
  'last-hour': { kind: 'sliding', intervalAt: lastHourWindow, refresh: { by: 'ledger' } },
  hour: {
    kind: 'tumbling',
    intervalAt: (now) => tumblingWindow('hour', now),
    refresh: { by: 'incremental', table: 'views_by_hour', period: 'hour' },
  },
  day: {
    kind: 'tumbling',
    intervalAt: (now) => tumblingWindow('day', now),
    refresh: { by: 'incremental', table: 'views_by_day', period: 'day' },
  },
  month: {
    kind: 'tumbling',
    intervalAt: (now) => tumblingWindow('month', now),
    refresh: { by: 'incremental', table: 'views_by_month', period: 'month' },
  },
  'all-time': { kind: 'all-time', intervalAt: () => undefined, refresh: { by: 'incremental', table: 'views_total' } },
};

export function isGrowing(window: WindowName): window is GrowingWindow {
  return WINDOW_SPECS[window].refresh.by === 'incremental';
}
