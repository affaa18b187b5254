// Where each entry of a list stood before (GET /views/top-k?movement=true): which list a window's entries are compared
// with, and the ranks in it. Pure: the caller supplies "now" (the Clock).
import { RankedVideo } from './ranking';
import { Interval, isTumbling, tumblingWindow, WindowName } from './windows';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * The list a window's current list is compared with: for hour, day and month the previous window's final list (the
 * previous hour, day or month); for last-hour and all-time, the list one hour ago (as it was then, to the minute).
 */
export type PreviousTarget = { kind: 'window'; key: string; interval: Interval } | { kind: 'hour-ago'; key: string; at: Date };

export function previousTarget(window: WindowName, current: Interval | undefined, now: Date): PreviousTarget {
  if (isTumbling(window)) {
    const start = (current ?? tumblingWindow(window, now)).start;
    const interval = tumblingWindow(window, new Date(start.getTime() - 1));
    return { kind: 'window', key: `${window}/${interval.start.toISOString()}`, interval };
  }
  const at = new Date(Math.floor((now.getTime() - HOUR_MS) / MINUTE_MS) * MINUTE_MS);
  return { kind: 'hour-ago', key: `${window}@${at.toISOString()}`, at };
}

/** The list compared with, as kept in memory. */
export interface PreviousList {
  key: string;
  /** When that list was computed; undefined when there was none (the service was not running then). */
  computedAt?: Date;
  /** The previous window, for hour, day and month. */
  interval?: Interval;
  /** Each video's 1-based place in it. */
  ranks: ReadonlyMap<string, number>;
  /** Whether it can still change (a previous window closed too recently to be final): loaded again after a refresh period. */
  final: boolean;
}

export function ranksOf(entries: readonly RankedVideo[]): Map<string, number> {
  return new Map(entries.map((entry, i) => [entry.videoId, i + 1]));
}

/** One entry with where it stood: its rank in the previous list, or null when it was not in it. */
export interface MovedVideo extends RankedVideo {
  previousRank: number | null;
}

export function withPreviousRank(entry: RankedVideo, previous: PreviousList): MovedVideo {
  return { videoId: entry.videoId, views: entry.views, previousRank: previous.ranks.get(entry.videoId) ?? null };
}
