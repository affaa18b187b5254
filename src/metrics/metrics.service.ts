import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WINDOWS } from '../topk/windows';

/** A counter whose value is read elsewhere (ClickHouse's running totals), set at each scrape from the latest reading. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number | undefined): Counter {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value === undefined) return;
      this.reset();
      this.inc(value);
    },
  });
}

/**
 * Prometheus metrics of this process. Values are set where the work happens, or read at scrape time from what this
 * process already holds: a scrape never queries ClickHouse or Kafka.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Latest readings of ingestion, kept by IngestService's poll. */
  readonly ingest: { viewsCounted?: number; deadLetters?: number; consumerLag?: number } = {};
  /** Age in seconds of each window's newest list, given by PrecomputeService. */
  listAges: () => Map<string, number> = () => new Map();
  /** The last-hour watermark and its lag behind the clock, given by PrecomputeService. */
  watermark: () => { at: Date; lagSeconds: number } | undefined = () => undefined;

  readonly viewsIngested = mirroredCounter(
    this.registry,
    'viewrank_views_ingested_total',
    'Views counted by ClickHouse since the database was created (read every few seconds from ingest_counts)',
    () => this.ingest.viewsCounted,
  );

  readonly deadLetters = mirroredCounter(
    this.registry,
    'viewrank_dead_letters_total',
    'Kafka messages or rows set aside in views_dead_letter instead of being counted',
    () => this.ingest.deadLetters,
  );

  readonly consumerLag = new Gauge({
    name: 'viewrank_kafka_consumer_lag_messages',
    help: 'Messages on the views topic not yet consumed and committed by ClickHouse',
    registers: [this.registry],
    collect: () => {
      if (this.ingest.consumerLag !== undefined) this.consumerLag.set(this.ingest.consumerLag);
    },
  });

  readonly refreshDuration = new Histogram({
    name: 'viewrank_topk_refresh_duration_seconds',
    help: 'Time to recompute the top-K of every window once',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly windowRefreshDuration = new Histogram({
    name: 'viewrank_topk_window_refresh_duration_seconds',
    help: 'Time to recompute the top-K of one window',
    labelNames: ['window'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly listAge = new Gauge({
    name: 'viewrank_topk_staleness_seconds',
    help: 'Age of the list each window serves now (seconds since the instant it was computed for)',
    labelNames: ['window'] as const,
    registers: [this.registry],
    collect: () => {
      this.listAge.reset();
      for (const [window, age] of this.listAges()) this.listAge.set({ window }, age);
    },
  });

  readonly refreshes = new Counter({
    name: 'viewrank_topk_refreshes_total',
    help: 'Top-K computations per window, incremental or full',
    labelNames: ['window', 'mode'] as const,
    registers: [this.registry],
  });

  readonly lookedUp = new Gauge({
    name: 'viewrank_topk_looked_up_videos',
    help: 'Videos whose exact totals the last incremental refresh of each window read (the list plus those the bounds could not rule out)',
    labelNames: ['window'] as const,
    registers: [this.registry],
  });

  readonly refreshFailures = new Counter({
    name: 'viewrank_topk_refresh_failures_total',
    help: 'Refreshes that failed (the previous lists stay in use)',
    registers: [this.registry],
  });

  readonly lastHourLateViews = new Gauge({
    name: 'viewrank_last_hour_late_views',
    help: 'Views left out of last-hour because they arrived after their minute had closed (still counted in every other window)',
    registers: [this.registry],
  });

  readonly lastHourWatermark = new Gauge({
    name: 'viewrank_last_hour_watermark_seconds',
    help: 'End of the newest minute frozen into last-hour (Unix seconds): a minute freezes once ClickHouse holds every message Kafka appended by its end plus LATE_TOLERANCE_MS',
    registers: [this.registry],
    collect: () => {
      const reading = this.watermark();
      if (reading) this.lastHourWatermark.set(reading.at.getTime() / 1000);
    },
  });

  readonly lastHourWatermarkLag = new Gauge({
    name: 'viewrank_last_hour_watermark_lag_seconds',
    help: 'How far the last-hour watermark trails the clock: 30-90 s at the default tolerance while ingestion keeps up, more while it lags',
    registers: [this.registry],
    collect: () => {
      const reading = this.watermark();
      if (reading) this.lastHourWatermarkLag.set(reading.lagSeconds);
    },
  });

  readonly lastHourStepsRun = new Gauge({
    name: 'viewrank_last_hour_steps_last_refresh',
    help: 'Snapshot, add and subtract steps the last refresh ran on the last-hour state',
    registers: [this.registry],
  });

  readonly httpIngestedViews = new Counter({
    name: 'viewrank_http_ingested_views_total',
    help: 'Views accepted by POST /views (acknowledged by Kafka)',
    registers: [this.registry],
  });

  readonly httpIngestFailures = new Counter({
    name: 'viewrank_http_ingest_failures_total',
    help: 'POST /views batches that Kafka did not acknowledge (answered 503)',
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'viewrank_http_request_duration_seconds',
    help: 'HTTP request latency, by route (its pattern, not the raw URL) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'viewrank_' });
    for (const window of WINDOWS) this.windowRefreshDuration.zero({ window });
  }
}
