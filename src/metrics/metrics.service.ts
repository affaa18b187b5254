import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this process; values are set where the work happens, so a scrape never queries ClickHouse. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly refreshDuration = new Histogram({
    name: 'viewrank_topk_refresh_duration_seconds',
    help: 'Time to recompute the top-K of every window once',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly refreshes = new Counter({
    name: 'viewrank_topk_refreshes_total',
    help: 'Top-K computations per window, incremental or full',
    labelNames: ['window', 'mode'] as const,
    registers: [this.registry],
  });

  readonly lastHourLateViews = new Gauge({
    name: 'viewrank_last_hour_late_views',
    help: 'Views left out of last-hour because they arrived after their minute had closed (still counted in every other window)',
    registers: [this.registry],
  });

  readonly lastHourStepsRun = new Gauge({
    name: 'viewrank_last_hour_steps_last_refresh',
    help: 'Snapshot, add and subtract steps the last refresh ran on the last-hour state',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'viewrank_' });
  }
}
