// What ClickHouse has written of the views topic, per Kafka partition: read by ingestion (lag, the consumer group's
// hand-over) and by last-hour (whether a minute's messages are all in).
import { SqlRunner } from './migrations';
import { namedQuery } from './sql-files';

/** Per Kafka partition, the offset after the newest message whose rows ClickHouse has written (ingested_offsets). */
export async function ingestedOffsets(db: SqlRunner, database: string): Promise<Map<number, number>> {
  const rows = await db.select<{ partition: string | number; next_offset: string | number }>(namedQuery('ingested_offsets'), {
    db: database,
  });
  return new Map(rows.map((r) => [Number(r.partition), Number(r.next_offset)]));
}
