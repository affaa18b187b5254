// The precomputed list, the one type that PrecomputeService keeps and serves and SnapshotRepository persists.
import { RankedVideo } from './ranking';
import { Interval, WindowName } from './windows';

/** One precomputed list: the top MAX_K of a window as of `computedAt`. */
export interface TopKSnapshot {
  window: WindowName;
  /** Absent for all-time. For last-hour, the 60 minutes up to and including the current one. */
  interval?: Interval;
  computedAt: Date;
  entries: RankedVideo[];
  /** last-hour: the end of the newest minute frozen into the list (later minutes are read live). */
  watermark?: Date;
}
