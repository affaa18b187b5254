import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { RollupService } from '../rollup/rollup.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { nextRefreshDelay } from './refresh-schedule';
import { RefreshStats } from './refresh-stats';
import { INCREMENTAL } from './incremental';
import { MINUTE_MS } from './last-hour';
import { RankedVideo } from './ranking';
import { LastHourService } from './last-hour.service';
import { TopKSnapshot } from './snapshot';
import { SnapshotRepository } from './snapshot.repository';
import { TopKRepository } from './top-k.repository';
import { RefreshThread } from './refresh-thread';
import { MAX_K, WINDOW_SPECS, WindowName, WINDOWS } from './windows';

/**
 * Recomputes the top MAX_K of every window on a schedule and keeps the lists in memory, so that reads never
 * touch ClickHouse. "Now" comes from the Clock and reaches SQL only as window bounds (query parameters).
 */
@Injectable()
export class PrecomputeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PrecomputeService.name);
  private readonly snapshots = new Map<WindowName, TopKSnapshot>();
  /** The growing windows' lists, computed on a thread of their own (refresh-thread.ts). */
  private readonly refresher: RefreshThread;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** What the refreshes have done, for /metrics. */
  readonly stats = new RefreshStats();
  /** Why the last refresh failed, for the 503 that a too-stale list gets; cleared by a successful refresh. */
  lastError?: string;
  private readonly publishListeners = new Set<(snapshot: TopKSnapshot) => void>();

  constructor(
    private readonly repository: TopKRepository,
    private readonly lastHour: LastHourService,
    private readonly stored: SnapshotRepository,
    private readonly clock: Clock,
    private readonly rollup: RollupService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.refresher = new RefreshThread((request) => repository.rowsText(request), INCREMENTAL);
  }

  /** Age in seconds of each window's newest list. */
  listAges(): Map<WindowName, number> {
    const nowMs = this.clock.now().getTime();
    return new Map([...this.snapshots].map(([window, s]) => [window, Math.max(0, (nowMs - s.computedAt.getTime()) / 1000)]));
  }

  /** Serves the newest stored lists at once (the controller decides whether each is still current), then refreshes. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const snapshot of await this.stored.latest()) this.snapshots.set(snapshot.window, snapshot);
    } catch (error) {
      this.logger.warn(`cannot read stored top-K lists: ${(error as Error).message}`);
    }
    if (this.config.refreshIntervalMs > 0) this.schedule(0);
  }

  /** Runs before ClickHouse closes (onApplicationShutdown): no refresh may still be using it then. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.refresher.close();
  }

  /** The last-hour watermark (end of the newest frozen minute) and how far it trails the clock. */
  watermark(): { at: Date; lagSeconds: number } | undefined {
    const at = this.snapshots.get('last-hour')?.watermark;
    return at && { at, lagSeconds: Math.max(0, (this.clock.now().getTime() - at.getTime()) / 1000) };
  }

  /** Calls `listener` with every list published from now on (each refresh publishes every window); returns the unsubscribe. */
  onPublish(listener: (snapshot: TopKSnapshot) => void): () => void {
    this.publishListeners.add(listener);
    return () => this.publishListeners.delete(listener);
  }

  /** The latest list of a window, or undefined before its first computation. */
  snapshot(window: WindowName): TopKSnapshot | undefined {
    return this.snapshots.get(window);
  }

  /**
   * Computes every window once, at one instant. Never runs twice at once: a call while a refresh is under way
   * waits for that refresh instead of starting another.
   */
  refresh(): Promise<void> {
    this.running ??= this.computeAll().then(
      () => {
        this.lastError = undefined;
        this.running = undefined;
      },
      (error: Error) => {
        this.stats.failures++;
        this.lastError = error.message.split('\n')[0];
        this.running = undefined;
        throw error;
      },
    );
    return this.running;
  }

  private async computeAll(): Promise<void> {
    const now = this.clock.now();
    const started = performance.now();
    const changed: TopKSnapshot[] = [];
    try {
      // What arrived so far into the hour, day, month and all-time tables first: every list is then computed from
      // them as of one rollup.
      await this.rollup.run();
      // Taken before any list is read: views ingested from here on are picked up by the next refresh.
      const serverNowMs = await this.repository.serverNowMs();
      const done = (snapshot: TopKSnapshot | undefined, window: WindowName, since: number) => {
        if (snapshot && this.publish(snapshot)) changed.push(snapshot);
        this.stats.recordDuration({ window, seconds: (performance.now() - since) / 1000 });
      };
      // last-hour beside the growing windows: its reads take an engine session of their own (LastHourRepository).
      const lastHourStarted = performance.now();
      const lastHour = this.computeLastHour(now).then((snapshot) => done(snapshot, 'last-hour', lastHourStarted));
      const growing = (async () => {
        // Each published as soon as it is computed; the first one's duration includes the read of every window's
        // growth (one query for the four).
        let windowStarted = performance.now();
        for await (const { window, interval, entries, mode, lookedUp } of this.refresher.refreshAll(now, serverNowMs)) {
          this.stats.countRefresh(window, mode);
          if (lookedUp !== undefined) this.stats.lookedUp.set(window, lookedUp);
          done({ window, interval, computedAt: now, entries }, window, windowStarted);
          windowStarted = performance.now();
        }
      })();
      // Both finish before the lists are stored; the first failure is the refresh's.
      for (const outcome of await Promise.allSettled([lastHour, growing])) if (outcome.status === 'rejected') throw outcome.reason;
    } finally {
      // The lists that changed, stored together (one insert), also those published before a window failed.
      await this.stored
        .save(changed)
        .catch((error: Error) => this.logger.warn(`cannot store the ${changed.map((s) => s.window).join(', ')} lists: ${error.message}`));
    }
    const seconds = (performance.now() - started) / 1000;
    this.stats.recordDuration({ seconds });
    this.logger.debug(`refreshed ${WINDOWS.length} windows in ${(seconds * 1000).toFixed(0)} ms`);
  }

  /** last-hour, from its ledger (WINDOW_SPECS); undefined when the clock is behind its state. */
  private async computeLastHour(now: Date): Promise<TopKSnapshot | undefined> {
    const window = 'last-hour';
    const { entries, stepsRun, lateViews, closedThrough } = await this.lastHour.refresh(now, MAX_K);
    this.stats.lastHourStepsRun = stepsRun;
    if (lateViews !== undefined) this.stats.lastHourLateViews = lateViews;
    const watermark = Number.isFinite(closedThrough) ? new Date(closedThrough + MINUTE_MS) : undefined;
    return entries && { window, interval: WINDOW_SPECS[window].intervalAt(now), computedAt: now, entries, watermark };
  }

  /**
   * Serves a new list; true when it differs from the one before, so is to be stored (a stored list outlives a
   * restart).
   */
  private publish(snapshot: TopKSnapshot): boolean {
    const previous = this.snapshots.get(snapshot.window);
    this.snapshots.set(snapshot.window, snapshot);
    for (const listener of this.publishListeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.logger.warn(`a listener of published lists failed: ${(error as Error).message}`);
      }
    }
    const same =
      previous !== undefined &&
      previous.interval?.start.getTime() === snapshot.interval?.start.getTime() &&
      sameEntries(previous.entries, snapshot.entries);
    return !same;
  }

  /**
   * Self-rescheduling loop: one refresh starts every period (nextRefreshDelay), and the next is planned only after
   * this one ended, so refreshes never pile up.
   */
  private schedule(delayMs: number): void {
    this.timer = setTimeout(async () => {
      const started = performance.now();
      try {
        await this.refresh();
      } catch (error) {
        this.logger.warn(`refresh failed, serving the previous lists: ${(error as Error).message}`);
      }
      if (!this.stopped) this.schedule(nextRefreshDelay(this.config.refreshIntervalMs, performance.now() - started));
    }, delayMs);
  }
}

function sameEntries(a: readonly RankedVideo[], b: readonly RankedVideo[]): boolean {
  return a.length === b.length && a.every((e, i) => e.videoId === b[i].videoId && e.views === b[i].views);
}
