import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { MetricsService } from '../metrics/metrics.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RankedVideo } from './ranking';
import { lastHourWindow } from './sliding';
import { SlidingWindowService } from './sliding-window.service';
import { TopKRepository } from './topk.repository';
import { Interval, isTumbling, MAX_K, tumblingWindow, WindowName, WINDOWS } from './windows';

/** One precomputed list: the top MAX_K of a window as of `computedAt`. */
export interface TopKSnapshot {
  window: WindowName;
  /** Absent for all-time. For last-hour, the 60 minutes up to and including the current one. */
  interval?: Interval;
  computedAt: Date;
  entries: RankedVideo[];
}

/**
 * Recomputes the top MAX_K of every window on a schedule and keeps the lists in memory, so that reads never
 * touch ClickHouse. "Now" comes from the Clock and reaches SQL only as window bounds (query parameters).
 */
@Injectable()
export class PrecomputeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PrecomputeService.name);
  private readonly snapshots = new Map<WindowName, TopKSnapshot>();
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly repository: TopKRepository,
    private readonly sliding: SlidingWindowService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.refreshIntervalMs > 0) this.schedule(0);
  }

  /** Runs before ClickHouse closes (onApplicationShutdown): no refresh may still be using it then. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
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
    this.running ??= this.computeAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async computeAll(): Promise<void> {
    const now = this.clock.now();
    const endTimer = this.metrics.refreshDuration.startTimer();
    for (const window of WINDOWS) {
      if (window === 'last-hour') {
        const { entries, stepsRun, lateViews } = await this.sliding.refresh(now, MAX_K);
        this.metrics.lastHourStepsRun.set(stepsRun);
        if (lateViews !== undefined) this.metrics.lastHourLateViews.set(lateViews);
        if (entries) this.snapshots.set(window, { window, interval: lastHourWindow(now), computedAt: now, entries });
        continue;
      }
      const interval = isTumbling(window) ? tumblingWindow(window, now) : undefined;
      const entries = interval ? await this.repository.topInInterval(interval, MAX_K) : await this.repository.topAllTime(MAX_K);
      this.snapshots.set(window, { window, interval, computedAt: now, entries });
    }
    this.logger.debug(`refreshed ${WINDOWS.length} windows in ${(endTimer() * 1000).toFixed(0)} ms`);
  }

  /** Self-rescheduling loop: the next refresh is planned only after this one ended, so refreshes never pile up. */
  private schedule(delayMs: number): void {
    this.timer = setTimeout(async () => {
      try {
        await this.refresh();
      } catch (error) {
        this.logger.warn(`refresh failed, serving the previous lists: ${(error as Error).message}`);
      }
      if (!this.stopped) this.schedule(this.config.refreshIntervalMs);
    }, delayMs);
  }
}
