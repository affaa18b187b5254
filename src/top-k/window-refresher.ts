import { candidates, Deltas, fromFull, IncrementalOptions, merge, planRefresh, RefreshPlan, WindowState } from './incremental';
import { RankedVideo } from './ranking';
import { TopKReader, WindowRef } from './top-k.reader';
import { GrowingWindow, Interval, isGrowing, MAX_K, WINDOW_SPECS, WINDOWS } from './windows';

/** The windows whose counts only grow, in the order they are refreshed. */
export const GROWING_WINDOWS: readonly GrowingWindow[] = WINDOWS.filter(isGrowing);

export interface WindowRefresh {
  window: GrowingWindow;
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
    private readonly repository: TopKReader,
    private readonly options: IncrementalOptions,
  ) {}

  /**
   * Refreshes every growing window at `now`, yielding each in turn as soon as it is computed. The growth of all the
   * windows refreshed incrementally is read first, in one query (one read of the recent blocks instead of one a
   * window), then their lookups run side by side.
   * `serverNowMs` is ClickHouse's clock, read before any list of this refresh (see TopKRepository.serverNowMs).
   */
  async *refreshAll(now: Date, serverNowMs: number): AsyncGenerator<WindowRefresh> {
    const planned = GROWING_WINDOWS.map((window) => {
      const ref: WindowRef = { window, interval: WINDOW_SPECS[window].intervalAt(now) };
      const windowStartMs = ref.interval ? ref.interval.start.getTime() : null;
      const previous = this.states.get(window);
      return { ref, windowStartMs, previous, plan: planRefresh(previous, windowStartMs, serverNowMs, MAX_K, this.options) };
    });
    const incremental = planned.flatMap(({ ref, previous, plan }) =>
      plan.mode === 'incremental'
        ? [{ ref, listed: previous!.entries.map((e) => e.videoId), sinceMs: plan.sinceMs, minDelta: plan.minDelta }]
        : [],
    );
    const deltas = await this.repository.deltas(incremental);
    const grownBy = new Map(incremental.map((p, i) => [p.ref.window, deltas[i]]));
    // The incremental windows' lookups start together (each on a session of its own, TopKRepository.totals); the
    // full computations, rare, one after another. Yielded in order.
    const lookups = new Map(
      planned.flatMap(({ ref, previous, plan }) => {
        if (plan.mode !== 'incremental') return [];
        const pending = this.incremental(ref, previous!, grownBy.get(ref.window)!);
        pending.catch(() => undefined); // awaited below, in order; a failure before then is not unhandled
        return [[ref.window, pending] as const];
      }),
    );
    for (const { ref, windowStartMs, previous, plan } of planned) {
      const { next, lookedUp } = plan.mode === 'full' ? await this.full(ref) : await lookups.get(ref.window)!;
      this.states.set(ref.window, {
        ...next,
        windowStartMs,
        serverTimeMs: serverNowMs,
        fullAtServerMs: plan.mode === 'full' ? serverNowMs : previous!.fullAtServerMs,
        lookedUp,
      });
      yield { window: ref.window, interval: ref.interval, entries: next.entries, mode: plan.mode, lookedUp };
    }
  }

  private async full(ref: WindowRef) {
    const ranked = await this.repository.top(ref, MAX_K + this.options.tracked);
    return { next: fromFull(ranked, MAX_K, this.options.tracked), lookedUp: undefined };
  }

  private async incremental(ref: WindowRef, state: WindowState, deltas: Deltas) {
    const grown = candidates(state, deltas, MAX_K);
    const exact = await this.repository.totals(ref, grown.lookup);
    return { next: merge(grown, exact, MAX_K, this.options.tracked), lookedUp: grown.lookup.length };
  }
}
