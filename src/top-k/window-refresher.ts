import { candidates, fromFull, IncrementalOptions, merge, planRefresh, RefreshPlan, WindowState } from './incremental';
import { RankedVideo } from './ranking';
import { TopKRepository, WindowRef } from './top-k.repository';
import { GrowingWindow, Interval, MAX_K, WINDOW_SPECS } from './windows';

export interface WindowRefresh {
  interval?: Interval;
  entries: RankedVideo[];
  mode: RefreshPlan['mode'];
  /** Videos whose exact totals were read: the whole top K computed in full, or the looked-up few. */
  lookedUp?: number;
}

/**
 * Refreshes the windows whose counts only grow (hour, day, month, all-time): incrementally from the previous list,
 * the bounds kept below it and the growth since (see incremental.ts), or in full when planRefresh says so.
 * Keeps the per-window state that needs.
 */
export class WindowRefresher {
  private readonly states = new Map<GrowingWindow, WindowState>();

  constructor(
    private readonly repository: TopKRepository,
    private readonly options: IncrementalOptions,
  ) {}

  /** `serverNowMs` is ClickHouse's clock, read before any list of this refresh (see TopKRepository.serverNowMs). */
  async refresh(window: GrowingWindow, now: Date, serverNowMs: number): Promise<WindowRefresh> {
    const ref: WindowRef = { window, interval: WINDOW_SPECS[window].intervalAt(now) };
    const windowStartMs = ref.interval ? ref.interval.start.getTime() : null;
    const previous = this.states.get(window);
    const plan = planRefresh(previous, windowStartMs, serverNowMs, MAX_K, this.options);
    const { next, lookedUp } =
      plan.mode === 'full' ? await this.full(ref) : await this.incremental(ref, previous!, plan.sinceMs, plan.minDelta);
    this.states.set(window, {
      ...next,
      windowStartMs,
      serverTimeMs: serverNowMs,
      fullAtServerMs: plan.mode === 'full' ? serverNowMs : previous!.fullAtServerMs,
      lookedUp,
    });
    return { interval: ref.interval, entries: next.entries, mode: plan.mode, lookedUp };
  }

  private async full(ref: WindowRef) {
    const ranked = await this.repository.top(ref, MAX_K + this.options.tracked);
    return { next: fromFull(ranked, MAX_K, this.options.tracked), lookedUp: undefined };
  }

  private async incremental(ref: WindowRef, state: WindowState, sinceMs: number, minDelta: number) {
    const deltas = await this.repository.deltas(
      ref,
      state.entries.map((e) => e.videoId),
      sinceMs,
      minDelta,
    );
    const grown = candidates(state, deltas, MAX_K);
    const exact = await this.repository.totals(ref, grown.lookup);
    return { next: merge(grown, exact, MAX_K, this.options.tracked), lookedUp: grown.lookup.length };
  }
}
