// What ClickHouse has written of the views topic, per Kafka partition: read by ingestion (lag, the consumer group's
// hand-over) and by last-hour (whether a minute's messages are all in).
import { SqlRunner } from './sql-runner';
import { namedQuery } from './sql-files';
import { sql } from './sql-query';

type Row = { partition: string | number; next_offset: string | number };
export const INGESTED_OFFSETS = sql('ingested_offsets', {}).rows<Row>();

/** The rows of INGESTED_OFFSETS as partition → next offset. */
export const offsetsByPartition = (rows: Row[]): Map<number, number> =>
  new Map(rows.map((r) => [Number(r.partition), Number(r.next_offset)]));

/** Per Kafka partition, the offset after the newest message whose rows ClickHouse has written (ingested_offsets). */
export async function ingestedOffsets(db: SqlRunner, database: string): Promise<Map<number, number>> {
  // Through the migration runner's interface: the ingest queue's set-up calls this with the same runner.
  const rows = await db.select<Row>(namedQuery(INGESTED_OFFSETS.name), { db: database });
  return offsetsByPartition(rows);
}
