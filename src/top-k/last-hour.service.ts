import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RankedVideo } from './ranking';
import { IngestWatermark } from './ingest-watermark';
import {
  closingInstantsDue,
  LAST_HOUR_MINUTES,
  lastHourWindow,
  ledgerKey,
  MINUTE_MS,
  minuteStart,
  outsiderFloor,
  planLastHourSteps,
  rankLastHour,
} from './last-hour';
import { LastHourRepository } from './last-hour.repository';

/** How far back the ledger is read: the window plus the minutes that may still await their subtraction. */
const LEDGER_LOOKBACK_MS = 3 * LAST_HOUR_MINUTES * MINUTE_MS;

/**
 * Videos of the state's top kept beyond the list between two steps (see rankLastHour): the lower the n-th state, the
 * fewer videos outside the top have open views enough to be read. As many as the growing windows track
 * (INCREMENTAL.tracked); sent with every refresh's read of the open minutes (about 130 kB of ids).
 */
const STATE_TRACKED = 10_000;

export interface LastHourResult {
  /** Undefined when the clock is behind the state (the previous list stays in use). */
  entries?: RankedVideo[];
  stepsRun: number;
  /** Views set aside so far (minutes that left the window with views that arrived after they closed). */
  lateViews?: number;
  /** The newest minute frozen into the state (-Infinity before the first); later minutes are read live. */
  closedThrough: number;
}

/**
 * Maintains the last-hour state: at each refresh, runs the steps planned by planLastHourSteps (subtract minutes that
 * left, snapshot and add minutes that closed by the clock and by the ingestion watermark), recording each in the
 * ledger after it took effect, then ranks the state plus the minutes still open.
 */
@Injectable()
export class LastHourService implements OnApplicationBootstrap {
  private readonly logger = new Logger(LastHourService.name);
  /** The late count is read once at start, then only when a minute was subtracted (the only time it changes). */
  private lateViewsKnown = false;
  /** The state's top n, and n with the ledger (ledgerKey) of the state it was read from. */
  private stateTop?: { key: string; entries: RankedVideo[] };

  constructor(
    private readonly repository: LastHourRepository,
    private readonly watermark: IngestWatermark,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The tolerance is built into the database's on-time view (migration 0012): another one would mix two rules. */
  async onApplicationBootstrap(): Promise<void> {
    const stored = await this.repository.lateToleranceMs();
    if (stored !== this.config.lateToleranceMs) {
      throw new Error(
        `LATE_TOLERANCE_MS=${this.config.lateToleranceMs} differs from ${stored}, the tolerance database ${this.repository.database} was created with; ` +
          'it is fixed per database: set it back, or use a new CLICKHOUSE_DATABASE',
      );
    }
  }

  /** `tracked`: how many videos of the state's top are kept beyond the k listed (STATE_TRACKED; tests pass fewer). */
  async refresh(now: Date, k: number, tracked = STATE_TRACKED): Promise<LastHourResult> {
    const nowMs = now.getTime();
    const ledger = await this.repository.ledger(nowMs - LEDGER_LOOKBACK_MS);
    const tolerance = this.config.lateToleranceMs;
    const ingestedThrough = await this.watermark.newestIngested(closingInstantsDue(nowMs, tolerance, ledger));
    const plan = planLastHourSteps(nowMs, tolerance, ledger, ingestedThrough);
    if (plan.clockBehindState) {
      this.logger.warn(`clock ${now.toISOString()} is behind minutes already added to last-hour; keeping the previous list`);
      return { stepsRun: 0, closedThrough: plan.closedThrough };
    }
    for (const { minute, step } of plan.steps) {
      await this.repository.runStep(minute, step);
      await this.repository.record(minute, step);
    }
    const entries = await this.rank(
      ledgerKey(ledger, plan.steps),
      plan.closedThrough,
      lastHourWindow(now).start.getTime(),
      minuteStart(nowMs),
      k,
      k + tracked,
    );
    let lateViews: number | undefined;
    if (!this.lateViewsKnown || plan.steps.some((s) => s.step === 'subtract')) {
      lateViews = await this.repository.lateViews();
      this.lateViewsKnown = true;
    }
    return { entries, stepsRun: plan.steps.length, lateViews, closedThrough: plan.closedThrough };
  }

  /**
   * The state's top (read again when the steps recorded changed, so when the state did), plus the open minutes.
   * While the state holds fewer than k videos, the list is computed in one query from all of it instead.
   */
  private async rank(
    key: string,
    closedThrough: number,
    windowStart: number,
    currentMinute: number,
    k: number,
    n: number,
  ): Promise<RankedVideo[]> {
    const stateKey = `${n}|${key}`;
    if (this.stateTop?.key !== stateKey) this.stateTop = { key: stateKey, entries: await this.repository.stateTop(n) };
    const top = this.stateTop.entries;
    if (top.length < k) return this.repository.top(closedThrough, windowStart, currentMinute, k);
    const listed = new Set(top.map((e) => e.videoId));
    const open = await this.repository.openViews(closedThrough, windowStart, currentMinute, outsiderFloor(top, k, n), [...listed]);
    // With the whole state in the top, a video outside it has none.
    const outsiders = top.length < n ? [] : [...open.keys()].filter((videoId) => !listed.has(videoId));
    return rankLastHour(top, open, await this.repository.stateViews(outsiders), k);
  }
}
