import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { IngestService } from '../ingest/ingest.service';
import { PrecomputeService } from '../topk/precompute.service';
import { WINDOWS } from '../topk/windows';
import { listAgeProblems } from './readiness';

/** The three things readiness depends on, each a terminus indicator with details an operator can act on. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly clickhouse: ClickHouseService,
    private readonly ingest: IngestService,
    private readonly precompute: PrecomputeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** ClickHouse answers a trivial query within 2 s. */
  async clickhouseReachable() {
    const check = this.indicator.check('clickhouse');
    const started = Date.now();
    try {
      await Promise.race([
        this.clickhouse.rows('server_now'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2000 ms')), 2000).unref()),
      ]);
      return check.up({ mode: this.config.clickhouse.url ? 'server' : 'embedded', latencyMs: Date.now() - started });
    } catch (error) {
      return check.down({ error: (error as Error).message.split('\n')[0] });
    }
  }

  /** The Kafka consumer group keeps up: lag read recently and under READY_MAX_CONSUMER_LAG. */
  kafkaLag() {
    const check = this.indicator.check('kafka');
    const reading = this.ingest.lag;
    const max = this.config.readiness.maxConsumerLag;
    if (!reading) return check.down({ error: 'consumer lag not read yet' });
    if (reading.error) return check.down({ error: reading.error, readAt: reading.at.toISOString() });
    const details = { lag: reading.lag, maxLag: max, readAt: reading.at.toISOString() };
    return reading.lag! <= max ? check.up(details) : check.down({ ...details, error: `consumer lag ${reading.lag} exceeds ${max}` });
  }

  /** Every window has a list younger than READY_MAX_LIST_AGE_MS. */
  listsFresh() {
    const check = this.indicator.check('topk');
    const now = this.clock.now();
    const computedAt = Object.fromEntries(WINDOWS.map((w) => [w, this.precompute.snapshot(w)?.computedAt]));
    const problems = listAgeProblems(computedAt, now, this.config.readiness.maxListAgeMs);
    const ages = Object.fromEntries(WINDOWS.map((w) => [w, computedAt[w] ? Math.round((now.getTime() - computedAt[w]!.getTime()) / 1000) : null]));
    return problems.length === 0 ? check.up({ ageSeconds: ages }) : check.down({ ageSeconds: ages, error: problems.join('; ') });
  }
}
