// When a window's top-K may be refreshed incrementally, and from what. Pure: the service supplies the state.
import { RankedVideo } from './ranking';

/** What the previous successful refresh of one window left behind. */
export interface WindowState {
  /** Start of the window instance the list belongs to (null for all-time). */
  windowStartMs: number | null;
  entries: RankedVideo[];
  /** ClickHouse's clock when that refresh started (ingestion times are measured in it). */
  serverTimeMs: number;
  /** ClickHouse's clock when the last full computation of this window started. */
  fullAtServerMs: number;
}

export type RefreshPlan =
  | { mode: 'full'; reason: 'start-up' | 'window rolled over' | 'periodic full' | 'server clock moved back' | 'incremental disabled' }
  | { mode: 'incremental'; previous: string[]; sinceMs: number };

export interface IncrementalOptions {
  /** Overlap with the previous refresh, covering writes that were under way while it read. */
  marginMs: number;
  /** A full computation at least this often, as a safety net; 0 disables incremental refresh. */
  fullEveryMs: number;
}

/**
 * Within one window instance counts only grow, so the new top-K lies within the previous top-K and the videos
 * touched (ingested) since the previous refresh started. That holds only for the same window instance and an
 * unbroken sequence of refreshes; anything else computes in full.
 */
export function planRefresh(state: WindowState | undefined, windowStartMs: number | null, serverNowMs: number, options: IncrementalOptions): RefreshPlan {
  if (options.fullEveryMs === 0) return { mode: 'full', reason: 'incremental disabled' };
  if (!state) return { mode: 'full', reason: 'start-up' };
  if (state.windowStartMs !== windowStartMs) return { mode: 'full', reason: 'window rolled over' };
  if (serverNowMs < state.serverTimeMs) return { mode: 'full', reason: 'server clock moved back' };
  if (serverNowMs - state.fullAtServerMs >= options.fullEveryMs) return { mode: 'full', reason: 'periodic full' };
  return { mode: 'incremental', previous: state.entries.map((e) => e.videoId), sinceMs: state.serverTimeMs - options.marginMs };
}
