import { Inject, Injectable } from '@nestjs/common';
import { serverNowMs } from '../clickhouse/server-clock';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { IngestMonitor } from '../ingest/ingest-monitor.service';
import { IngestWatermark } from '../top-k/ingest-watermark';
import { PrecomputeService } from '../top-k/precompute.service';
import { WINDOWS } from '../top-k/windows';
import { listAgeProblems, READY_MAX_LIST_AGE_MS } from './readiness';

/** Set on SIGTERM (main.ts): readiness fails at once while the service keeps answering through the drain period. */
@Injectable()
export class ShutdownState {
  draining = false;
}

/** What readiness depends on, each a terminus indicator with details an operator can act on. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly clickhouse: ClickHouseService,
    private readonly ingest: IngestMonitor,
    private readonly precompute: PrecomputeService,
    private readonly watermark: IngestWatermark,
    private readonly shutdown: ShutdownState,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** ClickHouse answers a trivial query within 2 s. */
  async clickhouseReachable() {
    const check = this.indicator.check('clickhouse');
    const started = Date.now();
    try {
      await Promise.race([
        serverNowMs(this.clickhouse),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2000 ms')), 2000).unref()),
      ]);
      return check.up({ mode: this.config.clickhouse.url ? 'server' : 'embedded', latencyMs: Date.now() - started });
    } catch (error) {
      return check.down({ error: (error as Error).message.split('\n')[0] });
    }
  }

  /**
   * Ingestion, reported and never failed on: reads are served from memory, so a backlog must not take every replica
   * out of a load balancer at once. Stale lists fail readiness instead (listsFresh).
   */
  ingestion() {
    const reading = this.ingest.lag;
    const watermark = this.precompute.watermark();
    return this.indicator.check('ingestion').up({
      consumerLag: reading?.lag ?? null,
      lagReadAt: reading?.at.toISOString() ?? null,
      ...(reading?.error ? { lagError: reading.error } : {}),
      lastHourWatermark: watermark?.at.toISOString() ?? null,
      lastHourWatermarkLagSeconds: watermark ? Math.round(watermark.lagSeconds) : null,
      ...(this.watermark.lastError ? { watermarkError: this.watermark.lastError } : {}),
    });
  }

  /** Down from SIGTERM on, so load balancers stop sending requests before the service closes. */
  notShuttingDown() {
    const check = this.indicator.check('shutdown');
    return this.shutdown.draining ? check.down({ error: 'shutting down: draining requests before closing' }) : check.up();
  }

  /** Every window has a list younger than READY_MAX_LIST_AGE_MS. */
  listsFresh() {
    const check = this.indicator.check('topk');
    const now = this.clock.now();
    const computedAt = Object.fromEntries(WINDOWS.map((w) => [w, this.precompute.snapshot(w)?.computedAt]));
    const problems = listAgeProblems(computedAt, now, READY_MAX_LIST_AGE_MS);
    const ages = Object.fromEntries(
      WINDOWS.map((w) => [w, computedAt[w] ? Math.round((now.getTime() - computedAt[w]!.getTime()) / 1000) : null]),
    );
    return problems.length === 0 ? check.up({ ageSeconds: ages }) : check.down({ ageSeconds: ages, error: problems.join('; ') });
  }
}
