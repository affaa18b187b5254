// One video's numbers in every window: its counts (looked up in ClickHouse) and, where it is in a window's top
// MAX_K, its rank in the list being served. Pure: the service supplies the counts, the lists and the instant.
import { RankedVideo } from '../top-k/ranking';
import { TopKSnapshot } from '../top-k/snapshot';
import { Interval, MAX_K, WindowName, WINDOWS } from '../top-k/windows';

export interface WindowViews {
  window: WindowName;
  /** Absent for all-time. */
  start?: string;
  end?: string;
  views: number;
  /** 1-based rank in the list served now; null when the video is not in it. */
  rank: number | null;
  /** Whether the video is in the window's top MAX_K (as of rankComputedAt). */
  inTop1000: boolean;
  /** When the list the rank comes from was computed; null before the first list. */
  rankComputedAt: string | null;
}

export interface VideoViews {
  videoId: string;
  /** The instant the counts are for. */
  at: string;
  windows: WindowViews[];
}

const positions = new WeakMap<readonly RankedVideo[], Map<string, number>>();

/** The 1-based rank of a video in a published list (lists are never mutated once published), or null. */
export function rankIn(entries: readonly RankedVideo[], videoId: string): number | null {
  let index = positions.get(entries);
  if (!index) {
    index = new Map(entries.map((entry, i) => [entry.videoId, i + 1]));
    positions.set(entries, index);
  }
  return index.get(videoId) ?? null;
}

export function videoViews(
  videoId: string,
  at: Date,
  counts: Record<WindowName, number>,
  intervals: Record<WindowName, Interval | undefined>,
  lists: (window: WindowName) => TopKSnapshot | undefined,
): VideoViews {
  const windows = WINDOWS.map((window): WindowViews => {
    const list = lists(window);
    const rank = list && rankIn(list.entries, videoId);
    const interval = intervals[window];
    return {
      window,
      ...(interval && { start: interval.start.toISOString(), end: interval.end.toISOString() }),
      views: counts[window],
      rank: rank ?? null,
      inTop1000: rank != null && rank <= MAX_K,
      rankComputedAt: list ? list.computedAt.toISOString() : null,
    };
  });
  return { videoId, at: at.toISOString(), windows };
}
