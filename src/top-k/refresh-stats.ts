// What the refreshes have done, kept by PrecomputeService for whoever reports it (src/metrics reads it at each
// scrape). Plain numbers: topk knows nothing of Prometheus.
import { WindowName } from './windows';

/** Most refresh durations kept between two readers' drains; older ones are dropped (only the newest matter). */
const MAX_PENDING_DURATIONS = 10_000;

export interface RefreshDuration {
  /** The window refreshed, or undefined for a refresh of every window. */
  window?: WindowName;
  seconds: number;
}

export class RefreshStats {
  /** Refreshes that failed (the previous lists stay in use). */
  failures = 0;
  /** Computations per window and mode (`incremental` or `full`), as `window` → mode → count. */
  readonly refreshes = new Map<WindowName, Map<string, number>>();
  /** Videos the last incremental refresh of each window read. */
  readonly lookedUp = new Map<WindowName, number>();
  /** Snapshot, add and subtract steps the last refresh ran on the last-hour state. */
  lastHourStepsRun?: number;
  /** Views set aside from last-hour as late, as of the last minute that left the window. */
  lastHourLateViews?: number;
  private pending: RefreshDuration[] = [];

  countRefresh(window: WindowName, mode: string): void {
    const modes = this.refreshes.get(window) ?? new Map<string, number>();
    modes.set(mode, (modes.get(mode) ?? 0) + 1);
    this.refreshes.set(window, modes);
  }

  recordDuration(duration: RefreshDuration): void {
    this.pending.push(duration);
    if (this.pending.length > MAX_PENDING_DURATIONS) this.pending.splice(0, this.pending.length - MAX_PENDING_DURATIONS);
  }

  /** The durations recorded since the last call, oldest first. */
  drainDurations(): RefreshDuration[] {
    const drained = this.pending;
    this.pending = [];
    return drained;
  }
}
