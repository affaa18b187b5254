import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RankedVideo } from './ranking';
import { LAST_HOUR_MINUTES, MINUTE_MS, minuteStart, planSlidingSteps } from './sliding';
import { SlidingWindowRepository } from './sliding-window.repository';

/** How far back the ledger is read: the window plus the minutes that may still await their subtraction. */
const LEDGER_LOOKBACK_MS = 3 * LAST_HOUR_MINUTES * MINUTE_MS;

export interface LastHourResult {
  /** Undefined when the clock is behind the state (the previous list stays in use). */
  entries?: RankedVideo[];
  stepsRun: number;
  /** Views set aside so far (minutes that left the window with views that arrived after they closed). */
  lateViews?: number;
}

/**
 * Maintains the last-hour state: at each refresh, runs the steps planned by planSlidingSteps (subtract minutes that
 * left, snapshot and add minutes that closed), recording each in the ledger after it took effect, then ranks the
 * state plus the minutes still open.
 */
@Injectable()
export class SlidingWindowService {
  private readonly logger = new Logger(SlidingWindowService.name);
  /** The late count is read once at start, then only when a minute was subtracted (the only time it changes). */
  private lateViewsKnown = false;

  constructor(
    private readonly repository: SlidingWindowRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async refresh(now: Date, k: number): Promise<LastHourResult> {
    const nowMs = now.getTime();
    const ledger = await this.repository.ledger(nowMs - LEDGER_LOOKBACK_MS);
    const plan = planSlidingSteps(nowMs, this.config.lateToleranceMs, ledger);
    if (plan.clockBehindState) {
      this.logger.warn(`clock ${now.toISOString()} is behind minutes already added to last-hour; keeping the previous list`);
      return { stepsRun: 0 };
    }
    for (const { minute, step } of plan.steps) {
      await this.repository.runStep(minute, step);
      await this.repository.record(minute, step);
    }
    const entries = await this.repository.top(plan.closedThrough, minuteStart(nowMs), k);
    let lateViews: number | undefined;
    if (!this.lateViewsKnown || plan.steps.some((s) => s.step === 'subtract')) {
      lateViews = await this.repository.lateViews();
      this.lateViewsKnown = true;
    }
    return { entries, stepsRun: plan.steps.length, lateViews };
  }
}
