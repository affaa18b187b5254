// ClickHouse's own clock (clickhouse/queries/server_now.sql): what ingestion times are recorded in, read by the
// refresh; and the trivial query readiness asks.
import { ClickHouseService } from './clickhouse.service';
import { sql } from './sql-query';

const SERVER_NOW = sql('server_now', {}).rows<{ now_ms: string | number }>();

/** ClickHouse's clock now, in epoch milliseconds. */
export async function serverNowMs(clickhouse: ClickHouseService): Promise<number> {
  const [row] = await clickhouse.rows(SERVER_NOW, {});
  return Number(row.now_ms);
}
