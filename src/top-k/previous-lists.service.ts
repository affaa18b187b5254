import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PreviousList, previousTarget, PreviousTarget, ranksOf } from './movement';
import { PastWindowsService } from './past-windows.service';
import { PrecomputeService } from './precompute.service';
import { SnapshotRepository } from './snapshot.repository';
import { Interval, TumblingWindow, WindowName } from './windows';

/**
 * The lists that movement=true compares with (movement.ts), kept in memory so that a read never waits for ClickHouse.
 * Loaded with the service, in the background: each list the refresh publishes checks whether the one to compare it with
 * is missing or due, as each read does, so that the page's first streams find them there. The previous hour, day or
 * month comes from the past windows (computed once and stored when final; until then again at most once per refresh
 * period); the list one hour ago, for last-hour and all-time, from the stored snapshots, once a minute.
 */
@Injectable()
export class PreviousListsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PreviousListsService.name);
  private readonly kept = new Map<WindowName, PreviousList & { kind: PreviousTarget['kind']; loadedAt: number }>();
  private readonly loading = new Map<WindowName, Promise<void>>();
  private unsubscribe?: () => void;

  constructor(
    private readonly precompute: PrecomputeService,
    private readonly past: PastWindowsService,
    private readonly snapshots: SnapshotRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.precompute.onPublish((snapshot) => void this.get(snapshot.window, snapshot.interval));
  }

  /** No load may still be reading ClickHouse when it closes (onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.settled();
  }

  /** Resolves once no list is loading (the loads under way when called, and any they were waited with). */
  async settled(): Promise<void> {
    while (this.loading.size > 0) await Promise.all(this.loading.values());
  }

  /**
   * The list to compare the current list of `window` (over `interval`) with, if loaded: undefined until the first
   * load ends, and for hour, day and month until the new previous window's has, once the window moved on. The list one
   * hour ago is served a minute late while the next minute's loads.
   */
  get(window: WindowName, interval: Interval | undefined): PreviousList | undefined {
    const now = this.clock.now();
    const target = previousTarget(window, interval, now);
    const kept = this.kept.get(window);
    const due =
      !kept || kept.key !== target.key || (!kept.final && now.getTime() - kept.loadedAt >= Math.max(1000, this.config.refreshIntervalMs));
    if (due) this.load(window, target);
    if (!kept) return undefined;
    return kept.key === target.key || (target.kind === 'hour-ago' && kept.kind === 'hour-ago') ? kept : undefined;
  }

  /** Resolves once the list `get` would start loading now has been (for tests and the stream's first event). */
  async ready(window: WindowName, interval: Interval | undefined): Promise<PreviousList> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = this.get(window, interval);
      if (found && found.key === previousTarget(window, interval, this.clock.now()).key) return found;
      await this.loading.get(window);
    }
    throw new Error(`the list to compare ${window} with could not be loaded`);
  }

  /** The list of the window before the past window `interval` (at= with movement=true), computed if need be. */
  async before(window: TumblingWindow, interval: Interval): Promise<PreviousList> {
    const target = previousTarget(window, interval, this.clock.now());
    if (target.kind !== 'window') throw new Error(`${window} has no previous window`);
    return this.loadWindow(window, target);
  }

  private load(window: WindowName, target: PreviousTarget): void {
    if (this.loading.has(window)) return;
    const loadedAt = this.clock.now().getTime();
    const loaded = (target.kind === 'window' ? this.loadWindow(window as TumblingWindow, target) : this.loadHourAgo(window, target))
      .then((list) => void this.kept.set(window, { ...list, kind: target.kind, loadedAt }))
      .catch((error: Error) => this.logger.warn(`could not load the list ${target.key} to compare ${window} with: ${error.message}`))
      .finally(() => this.loading.delete(window));
    this.loading.set(window, loaded);
  }

  private async loadWindow(window: TumblingWindow, target: Extract<PreviousTarget, { kind: 'window' }>): Promise<PreviousList> {
    const finalFrom = new Date(target.interval.end.getTime() + this.config.lateToleranceMs);
    const list = await this.past.list(window, target.interval, finalFrom);
    return { key: target.key, computedAt: list.computedAt, interval: list.interval, ranks: ranksOf(list.entries), final: list.final };
  }

  private async loadHourAgo(window: WindowName, target: Extract<PreviousTarget, { kind: 'hour-ago' }>): Promise<PreviousList> {
    const list = await this.snapshots.at(window, target.at);
    return { key: target.key, computedAt: list?.computedAt, ranks: ranksOf(list?.entries ?? []), final: true };
  }
}
