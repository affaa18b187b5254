// What ingestion has achieved in a running app, read fresh from ClickHouse (the service itself only polls it).
import { INestApplicationContext } from '@nestjs/common';
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { INGEST_STATUS, IngestMonitor, IngestTotals, KafkaConsumerState } from '../../src/ingest/ingest-monitor.service';

export interface IngestStatus extends IngestTotals {
  consumers: KafkaConsumerState[];
}

/** Views counted and dead letters kept since the database was created, and the Kafka engine's consumers now. */
export async function ingestStatus(app: INestApplicationContext): Promise<IngestStatus> {
  const [counts] = await app.get(ClickHouseService).rows(INGEST_STATUS, {});
  return {
    viewsCounted: Number(counts.views_counted),
    deadLetters: Number(counts.dead_letters),
    consumers: await app.get(IngestMonitor).consumers(),
  };
}
