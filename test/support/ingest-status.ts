// What ingestion has achieved in a running app, read fresh from ClickHouse (the service itself only polls it).
import { INestApplicationContext } from '@nestjs/common';
import { IngestMonitor, IngestTotals, KafkaConsumerState } from '../../src/ingest/ingest-monitor.service';

export interface IngestStatus extends IngestTotals {
  consumers: KafkaConsumerState[];
}

/** Views counted and dead letters kept since the database was created, and the Kafka engine's consumers now. */
export async function ingestStatus(app: INestApplicationContext): Promise<IngestStatus> {
  const monitor = app.get(IngestMonitor);
  return { ...(await monitor.totals()), consumers: await monitor.consumers() };
}
