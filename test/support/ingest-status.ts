// What ingestion has achieved in a running app, read fresh from ClickHouse (the service itself only polls it).
import { INestApplicationContext } from '@nestjs/common';
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { IngestMonitor, IngestTotals, KafkaConsumerState } from '../../src/ingest/ingest-monitor.service';
import { waitFor } from './app';

export interface IngestStatus extends IngestTotals {
  consumers: KafkaConsumerState[];
}

/** Views counted and dead letters kept since the database was created, and the Kafka engine's consumers now. */
export async function ingestStatus(app: INestApplicationContext): Promise<IngestStatus> {
  const monitor = app.get(IngestMonitor);
  return { ...(await monitor.totals()), consumers: await monitor.consumers() };
}

/**
 * Waits until `views` are in the all-time table: the hour, day, month and all-time tables follow the counts at the
 * next rollup (migration 0017), which the app runs every second when no refresh is scheduled.
 */
export async function rolledUp(app: INestApplicationContext, views: number, timeoutMs = 30_000): Promise<void> {
  const clickhouse = app.get(ClickHouseService);
  await waitFor(
    `${views} views rolled up into the grains`,
    async () =>
      Number((await clickhouse.select<{ n: string }>('SELECT sum(views) AS n FROM {db:Identifier}.views_total'))[0]?.n ?? 0) >= views,
    timeoutMs,
    250,
  );
}
