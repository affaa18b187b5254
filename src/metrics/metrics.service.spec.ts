import { HttpIngestStats } from '../ingest/http-ingest.stats';
import { IngestMonitor } from '../ingest/ingest-monitor.service';
import { TopKStreamHub } from '../push/top-k-stream.service';
import { PastWindowsService } from '../top-k/past-windows.service';
import { PrecomputeService } from '../top-k/precompute.service';
import { RefreshStats } from '../top-k/refresh-stats';
import { MetricsService } from './metrics.service';

// The collectors read what the services hold at scrape time; here the services are plain objects holding it.
describe(MetricsService.name, () => {
  const stats = new RefreshStats();
  const precompute = {
    stats,
    listAges: () => new Map([['hour', 4]]),
    watermark: () => ({ at: new Date('2026-11-28T10:00:00Z'), lagSeconds: 42 }),
  } as unknown as PrecomputeService;
  const ingest = {
    totalsRead: { viewsCounted: 1200, deadLetters: 3 },
    lag: { lag: 7, at: new Date() },
    engineTotals: { messagesRead: 9000, blocks: 12 },
  } as unknown as IngestMonitor;
  const httpIngest = new HttpIngestStats();
  const pastWindows = { queued: 3, refused: 5 } as unknown as PastWindowsService;
  const streams = { size: 12, dropped: 1 } as unknown as TopKStreamHub;
  const metrics = new MetricsService(precompute, ingest, httpIngest, pastWindows, streams);
  const line = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(name));

  it('reports what the services hold at the time of the scrape', async () => {
    stats.failures = 2;
    stats.countRefresh('hour', 'incremental');
    stats.countRefresh('hour', 'incremental');
    stats.lookedUp.set('hour', 1015);
    stats.lastHourLateViews = 9;
    httpIngest.views = 50;
    httpIngest.failures = 1;
    const text = await metrics.registry.metrics();
    expect(line(text, 'viewrank_topk_refresh_failures_total')).toBe('viewrank_topk_refresh_failures_total 2');
    expect(line(text, 'viewrank_past_windows_queued')).toBe('viewrank_past_windows_queued 3');
    expect(line(text, 'viewrank_past_windows_refused_total')).toBe('viewrank_past_windows_refused_total 5');
    expect(line(text, 'viewrank_stream_clients')).toBe('viewrank_stream_clients 12');
    expect(line(text, 'viewrank_stream_dropped_clients_total')).toBe('viewrank_stream_dropped_clients_total 1');
    expect(line(text, 'viewrank_topk_refreshes_total{')).toBe('viewrank_topk_refreshes_total{window="hour",mode="incremental"} 2');
    expect(line(text, 'viewrank_topk_looked_up_videos{')).toBe('viewrank_topk_looked_up_videos{window="hour"} 1015');
    expect(line(text, 'viewrank_last_hour_late_views')).toBe('viewrank_last_hour_late_views 9');
    expect(line(text, 'viewrank_last_hour_watermark_lag_seconds')).toBe('viewrank_last_hour_watermark_lag_seconds 42');
    expect(line(text, 'viewrank_topk_staleness_seconds{')).toBe('viewrank_topk_staleness_seconds{window="hour"} 4');
    expect(line(text, 'viewrank_views_ingested_total')).toBe('viewrank_views_ingested_total 1200');
    expect(line(text, 'viewrank_dead_letters_total')).toBe('viewrank_dead_letters_total 3');
    expect(line(text, 'viewrank_kafka_consumer_lag_messages')).toBe('viewrank_kafka_consumer_lag_messages 7');
    expect(line(text, 'viewrank_kafka_engine_messages_read_total')).toBe('viewrank_kafka_engine_messages_read_total 9000');
    expect(line(text, 'viewrank_kafka_engine_blocks_total')).toBe('viewrank_kafka_engine_blocks_total 12');
    expect(line(text, 'viewrank_http_ingested_views_total')).toBe('viewrank_http_ingested_views_total 50');
    expect(line(text, 'viewrank_http_ingest_failures_total')).toBe('viewrank_http_ingest_failures_total 1');
  });

  it('observes each recorded refresh duration once, in the right histogram', async () => {
    stats.recordDuration({ seconds: 0.2 });
    stats.recordDuration({ window: 'day', seconds: 0.03 });
    await metrics.registry.metrics();
    stats.recordDuration({ seconds: 0.3 });
    const text = await metrics.registry.metrics();
    expect(line(text, 'viewrank_topk_refresh_duration_seconds_count')).toBe('viewrank_topk_refresh_duration_seconds_count 2');
    expect(line(text, 'viewrank_topk_refresh_duration_seconds_sum')).toBe('viewrank_topk_refresh_duration_seconds_sum 0.5');
    expect(line(text, 'viewrank_topk_window_refresh_duration_seconds_count{window="day"}')).toBe(
      'viewrank_topk_window_refresh_duration_seconds_count{window="day"} 1',
    );
  });
});
