import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpIngestStats } from '../ingest/http-ingest.stats';
import { IngestMonitor } from '../ingest/ingest-monitor.service';
import { TopKStreamHub } from '../push/top-k-stream.service';
import { PAST_WINDOW_QUEUE, PastWindowsService } from '../top-k/past-windows.service';
import { PrecomputeService } from '../top-k/precompute.service';
import { WINDOWS } from '../top-k/windows';

/** A counter whose value is kept elsewhere (a service's count, ClickHouse's running totals), set at each scrape from it. */
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
 * Prometheus metrics of this process, read at scrape time (collectors) from what the services already hold: their
 * stats, lists and latest readings. The services know nothing of Prometheus, and a scrape never queries ClickHouse
 * or Kafka. Only the HTTP latency is observed here directly, by MetricsModule's hook.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    private readonly precompute: PrecomputeService,
    private readonly ingest: IngestMonitor,
    private readonly httpIngest: HttpIngestStats,
    private readonly pastWindows: PastWindowsService,
    private readonly streams: TopKStreamHub,
  ) {
    // prom-client's process and Node.js metrics under their stock names (process_cpu_seconds_total, nodejs_heap_…),
    // which the usual Node.js dashboards query; the service's own carry the viewrank_ prefix.
    collectDefaultMetrics({ register: this.registry });
    for (const window of WINDOWS) this.windowRefreshDuration.zero({ window });
  }

  readonly viewsIngested = mirroredCounter(
    this.registry,
    'viewrank_views_ingested_total',
    'Views counted by ClickHouse since the database was created (read every few seconds from ingest_counts)',
    () => this.ingest.totalsRead?.viewsCounted,
  );

  readonly deadLetters = mirroredCounter(
    this.registry,
    'viewrank_dead_letters_total',
    'Kafka messages or rows set aside in views_dead_letter instead of being counted',
    () => this.ingest.totalsRead?.deadLetters,
  );

  readonly engineMessagesRead = mirroredCounter(
    this.registry,
    'viewrank_kafka_engine_messages_read_total',
    "Kafka messages read by ClickHouse's Kafka engine since its consumers were created (read every 30 s)",
    () => this.ingest.engineTotals?.messagesRead,
  );

  readonly engineBlocks = mirroredCounter(
    this.registry,
    'viewrank_kafka_engine_blocks_total',
    'Blocks the Kafka engine wrote and committed since its consumers were created (read every 30 s); messages per block is what a replay after a crash reads again in one poll',
    () => this.ingest.engineTotals?.blocks,
  );

  readonly consumerLag = new Gauge({
    name: 'viewrank_kafka_consumer_lag_messages',
    help: 'Messages on the views topic not yet consumed and committed by ClickHouse',
    registers: [this.registry],
    collect: () => {
      const lag = this.ingest.lag?.lag;
      if (lag !== undefined) this.consumerLag.set(lag);
    },
  });

  readonly refreshDuration = new Histogram({
    name: 'viewrank_topk_refresh_duration_seconds',
    help: 'Time to recompute the top-K of every window once',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
    collect: () => this.drainRefreshDurations(),
  });

  readonly windowRefreshDuration = new Histogram({
    name: 'viewrank_topk_window_refresh_duration_seconds',
    help: 'Time to recompute the top-K of one window',
    labelNames: ['window'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
    collect: () => this.drainRefreshDurations(),
  });

  readonly pastWindowsQueued = new Gauge({
    name: 'viewrank_past_windows_queued',
    help: `Past windows (GET /views/top-k?at=) being computed or waiting; at ${PAST_WINDOW_QUEUE} more get 429`,
    registers: [this.registry],
    collect: (): void => this.pastWindowsQueued.set(this.pastWindows.queued),
  });

  readonly pastWindowsRefused = mirroredCounter(
    this.registry,
    'viewrank_past_windows_refused_total',
    `Requests for a past window answered 429 because ${PAST_WINDOW_QUEUE} windows were already being computed`,
    () => this.pastWindows.refused,
  );

  readonly streamClients = new Gauge({
    name: 'viewrank_stream_clients',
    help: 'Open GET /views/top-k/stream connections (at most STREAM_MAX_CLIENTS)',
    registers: [this.registry],
    collect: (): void => this.streamClients.set(this.streams.size),
  });

  readonly streamsDropped = mirroredCounter(
    this.registry,
    'viewrank_stream_dropped_clients_total',
    'Stream clients disconnected because they left more than 1 MiB unread',
    () => this.streams.dropped,
  );

  readonly listAge = new Gauge({
    name: 'viewrank_topk_staleness_seconds',
    help: 'Age of the list each window serves now (seconds since the instant it was computed for)',
    labelNames: ['window'] as const,
    registers: [this.registry],
    collect: () => {
      this.listAge.reset();
      for (const [window, age] of this.precompute.listAges()) this.listAge.set({ window }, age);
    },
  });

  readonly refreshes = new Counter({
    name: 'viewrank_topk_refreshes_total',
    help: 'Top-K computations per window, incremental or full',
    labelNames: ['window', 'mode'] as const,
    registers: [this.registry],
    collect: () => {
      this.refreshes.reset();
      for (const [window, modes] of this.precompute.stats.refreshes) {
        for (const [mode, count] of modes) this.refreshes.inc({ window, mode }, count);
      }
    },
  });

  readonly lookedUp = new Gauge({
    name: 'viewrank_topk_looked_up_videos',
    help: 'Videos whose exact totals the last incremental refresh of each window read (the list plus those the bounds could not rule out)',
    labelNames: ['window'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [window, count] of this.precompute.stats.lookedUp) this.lookedUp.set({ window }, count);
    },
  });

  readonly refreshFailures = mirroredCounter(
    this.registry,
    'viewrank_topk_refresh_failures_total',
    'Refreshes that failed (the previous lists stay in use)',
    () => this.precompute.stats.failures,
  );

  readonly lastHourLateViews = new Gauge({
    name: 'viewrank_last_hour_late_views',
    help: 'Views left out of last-hour because they arrived after their minute had closed (still counted in every other window)',
    registers: [this.registry],
    collect: () => {
      const late = this.precompute.stats.lastHourLateViews;
      if (late !== undefined) this.lastHourLateViews.set(late);
    },
  });

  readonly lastHourWatermark = new Gauge({
    name: 'viewrank_last_hour_watermark_seconds',
    help: 'End of the newest minute frozen into last-hour (Unix seconds): a minute freezes once ClickHouse holds every message Kafka appended by its end plus LATE_TOLERANCE_MS',
    registers: [this.registry],
    collect: () => {
      const reading = this.precompute.watermark();
      if (reading) this.lastHourWatermark.set(reading.at.getTime() / 1000);
    },
  });

  readonly lastHourWatermarkLag = new Gauge({
    name: 'viewrank_last_hour_watermark_lag_seconds',
    help: 'How far the last-hour watermark trails the clock: 30-90 s at the default tolerance while ingestion keeps up, more while it lags',
    registers: [this.registry],
    collect: () => {
      const reading = this.precompute.watermark();
      if (reading) this.lastHourWatermarkLag.set(reading.lagSeconds);
    },
  });

  readonly lastHourStepsRun = new Gauge({
    name: 'viewrank_last_hour_steps_last_refresh',
    help: 'Snapshot, add and subtract steps the last refresh ran on the last-hour state',
    registers: [this.registry],
    collect: () => {
      const steps = this.precompute.stats.lastHourStepsRun;
      if (steps !== undefined) this.lastHourStepsRun.set(steps);
    },
  });

  readonly httpIngestedViews = mirroredCounter(
    this.registry,
    'viewrank_http_ingested_views_total',
    'Views accepted by POST /views (acknowledged by Kafka)',
    () => this.httpIngest.views,
  );

  readonly httpIngestFailures = mirroredCounter(
    this.registry,
    'viewrank_http_ingest_failures_total',
    'POST /views batches that Kafka did not acknowledge (answered 503)',
    () => this.httpIngest.failures,
  );

  readonly httpDuration = new Histogram({
    name: 'viewrank_http_request_duration_seconds',
    help: 'HTTP request latency, by route (its pattern, not the raw URL) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    // Reads from memory take well under a millisecond to a few; POST /views waits for Kafka's acknowledgement up to
    // INGEST_ACK_TIMEOUT_MS (10 s): the buckets reach past it.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });

  /** Moves the refresh durations recorded since the last scrape into the two histograms (each is called at a scrape). */
  private drainRefreshDurations(): void {
    for (const { window, seconds } of this.precompute.stats.drainDurations()) {
      if (window === undefined) this.refreshDuration.observe(seconds);
      else this.windowRefreshDuration.observe({ window }, seconds);
    }
  }
}
