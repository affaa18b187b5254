import { IncrementalOptions, planRefresh, RefreshPlan, WindowState } from './incremental';
import { RankedVideo } from './ranking';
import { TopKRepository } from './topk.repository';
import { Interval, isTumbling, MAX_K, TumblingWindow, tumblingWindow } from './windows';

export type GrowingWindow = TumblingWindow | 'all-time';

export interface WindowRefresh {
  interval?: Interval;
  entries: RankedVideo[];
  mode: RefreshPlan['mode'];
}

/**
 * Refreshes the windows whose counts only grow (hour, day, month, all-time): incrementally from the previous list
 * and the videos touched since, or in full when planRefresh says so. Keeps the per-window state that needs.
 */
export class WindowRefresher {
  private readonly states = new Map<GrowingWindow, WindowState>();

  constructor(
    private readonly repository: TopKRepository,
    private readonly options: IncrementalOptions,
  ) {}

  /** `serverNowMs` is ClickHouse's clock, read before any list of this refresh (see TopKRepository.serverNowMs). */
  async refresh(window: GrowingWindow, now: Date, serverNowMs: number): Promise<WindowRefresh> {
    const interval = isTumbling(window) ? tumblingWindow(window, now) : undefined;
    const windowStartMs = interval ? interval.start.getTime() : null;
    const previous = this.states.get(window);
    const plan = planRefresh(previous, windowStartMs, serverNowMs, this.options);
    const entries = await this.compute(interval, plan);
    this.states.set(window, {
      windowStartMs,
      entries,
      serverTimeMs: serverNowMs,
      fullAtServerMs: plan.mode === 'full' ? serverNowMs : previous!.fullAtServerMs,
    });
    return { interval, entries, mode: plan.mode };
  }

  private compute(interval: Interval | undefined, plan: RefreshPlan): Promise<RankedVideo[]> {
    if (plan.mode === 'full') {
      return interval ? this.repository.topInInterval(interval, MAX_K) : this.repository.topAllTime(MAX_K);
    }
    return interval
      ? this.repository.topInIntervalIncremental(interval, MAX_K, plan.previous, plan.sinceMs)
      : this.repository.topAllTimeIncremental(MAX_K, plan.previous, plan.sinceMs);
  }
}
