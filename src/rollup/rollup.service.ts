import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { nextRange, pendingRange, RollupRange } from './rollup';
import { RollupRepository } from './rollup.repository';

/** How long views_recent keeps what arrived (ingestion time): the incremental refresh reads seconds of it. */
export const RECENT_KEEP_HOURS = 2;
/** How often views_recent's old partitions are looked for. */
const EXPIRY_EVERY_MS = 60_000;
/** The rollup's own period when no refresh runs it (REFRESH_INTERVAL_MS=0). */
export const ROLLUP_INTERVAL_MS = 1000;

/**
 * Moves what arrived in views_recent into the hour, day, month and all-time tables (migration 0017), so that a Kafka
 * block writes four tables instead of eight. The refresh runs it first, so every list is computed from the tables as
 * of one rollup; with no refresh scheduled it runs on its own every second. Never two at once in one instance; two
 * instances agree through views_rollup (rollup.ts). A cluster writes its grains per block and runs none.
 */
@Injectable()
export class RollupService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RollupService.name);
  private running?: Promise<RollupRange | undefined>;
  /** The rollup to start once the running one ends, for the callers that came while it ran. */
  private next?: Promise<RollupRange | undefined>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private expiredAt = -Infinity;
  readonly enabled: boolean;

  constructor(
    private readonly repository: RollupRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.enabled = config.clickhouse.cluster === undefined;
  }

  onApplicationBootstrap(): void {
    if (this.enabled && this.config.refreshIntervalMs === 0) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.next?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /**
   * Rolls up everything that arrived before the call: a rollup started now, or if one is under way, the one started
   * right after it (shared by every caller meanwhile: the one under way may have looked before their views arrived).
   * Returns the blocks rolled up (undefined: nothing new, or a cluster). Throws when the engine fails; the next call
   * runs the same range again.
   */
  run(): Promise<RollupRange | undefined> {
    if (!this.enabled) return Promise.resolve(undefined);
    if (this.running) {
      this.next ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.stopped ? undefined : this.run();
        });
      return this.next;
    }
    this.running = this.rollUp().finally(() => (this.running = undefined));
    return this.running;
  }

  private async rollUp(): Promise<RollupRange | undefined> {
    let state = await this.repository.state();
    let range = pendingRange(state);
    if (!range) {
      const newest = await this.repository.newestBlock();
      // Rows below what was rolled up would never be: only emptying views_recent by hand and restarting gets here.
      if (newest > 0 && newest < state.done)
        this.logger.error(`views_recent's newest block ${newest} is below the rollup's ${state.done}: views after it are not rolled up`);
      const next = nextRange(state, newest);
      if (!next) {
        await this.expire(state.done);
        return undefined;
      }
      await this.repository.intend(next);
      // The intent that was kept: this one, or another instance's recorded first after the same rollup.
      state = await this.repository.state();
      range = pendingRange(state);
      if (!range) return undefined; // that instance finished it meanwhile
    }
    await this.repository.apply(range);
    await this.repository.recordDone(range.upto);
    await this.expire(range.upto);
    return range;
  }

  /** Drops views_recent's rolled-up partitions past their two hours, once a minute. */
  private async expire(done: number): Promise<void> {
    if (performance.now() - this.expiredAt < EXPIRY_EVERY_MS) return;
    this.expiredAt = performance.now();
    const dropped = await this.repository.dropExpired(RECENT_KEEP_HOURS, done);
    if (dropped.length > 0) this.logger.debug(`dropped views_recent partitions ${dropped.join(', ')}`);
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.run();
      } catch (error) {
        this.logger.warn(`rollup failed, to be run again: ${(error as Error).message}`);
      }
      if (!this.stopped) this.schedule();
    }, ROLLUP_INTERVAL_MS);
  }
}
