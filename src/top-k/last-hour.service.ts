import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RankedVideo } from './ranking';
import { IngestWatermark } from './ingest-watermark';
import { closingInstantsDue, LAST_HOUR_MINUTES, lastHourWindow, MINUTE_MS, minuteStart, planLastHourSteps } from './last-hour';
import { LastHourRepository } from './last-hour.repository';

/** How far back the ledger is read: the window plus the minutes that may still await their subtraction. */
const LEDGER_LOOKBACK_MS = 3 * LAST_HOUR_MINUTES * MINUTE_MS;

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

  async refresh(now: Date, k: number): Promise<LastHourResult> {
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
    const entries = await this.repository.top(plan.closedThrough, lastHourWindow(now).start.getTime(), minuteStart(nowMs), k);
    let lateViews: number | undefined;
    if (!this.lateViewsKnown || plan.steps.some((s) => s.step === 'subtract')) {
      lateViews = await this.repository.lateViews();
      this.lateViewsKnown = true;
    }
    return { entries, stepsRun: plan.steps.length, lateViews, closedThrough: plan.closedThrough };
  }
}
