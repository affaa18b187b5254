// ClickHouse for tests: one connection per process on several databases, and recounts independent of the service's
// queries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { runMigrations } from '../../src/clickhouse/migrations';
import { AppConfig } from '../../src/config/app-config';
import { toClickHouseDateTime } from '../../src/clickhouse/params';
import { RollupRepository } from '../../src/rollup/rollup.repository';
import { RollupService } from '../../src/rollup/rollup.service';
import { RankedVideo } from '../../src/top-k/ranking';
import { Interval } from '../../src/top-k/windows';
import { uniqueName } from './kafka';

/**
 * The same connection bound to another database (tests work on several databases in one process: chDB cannot be
 * opened again in a process once closed). Closing it closes the shared connection.
 */
export function onDatabase(clickhouse: ClickHouseService, database: string): ClickHouseService {
  return Object.create(clickhouse, { database: { value: database } }) as ClickHouseService;
}

/**
 * A fresh migrated database on the shared connection, for property tests that start each run from nothing: its name
 * (uniqueName(prefix), also its topic and group), the configuration naming it, and the connection bound to it.
 */
export async function migratedDatabase(
  base: ClickHouseService,
  baseConfig: AppConfig,
  prefix: string,
): Promise<{ database: string; config: AppConfig; clickhouse: ClickHouseService }> {
  const database = uniqueName(prefix);
  const config: AppConfig = {
    ...baseConfig,
    clickhouse: { ...baseConfig.clickhouse, database },
    kafka: { ...baseConfig.kafka, topic: database, group: database },
  };
  const clickhouse = onDatabase(base, database);
  await runMigrations(clickhouse, config);
  return { database, config, clickhouse };
}

const TOP_IN_INTERVAL = readFileSync(join(__dirname, 'sql/top_in_interval.sql'), 'utf8');

/**
 * The top k by event hour in [start, end), from what arrived (views_recent), not from the grains the rollup fills: an
 * independent recount of any tumbling window of a young database.
 */
export async function topInInterval(clickhouse: ClickHouseService, interval: Interval, k: number): Promise<RankedVideo[]> {
  const rows = await clickhouse.select<{ video_id: string; views: string | number }>(TOP_IN_INTERVAL, {
    start: toClickHouseDateTime(interval.start),
    end: toClickHouseDateTime(interval.end),
    k,
  });
  return rows.map((r) => ({ videoId: r.video_id, views: Number(r.views) }));
}

/** Writes parsed views into views_parsed (as the Kafka engine's view would), each at its instant; the chain counts them. */
export async function insertParsedViews(
  clickhouse: ClickHouseService,
  database: string,
  views: readonly { videoId: string; at: Date }[],
): Promise<void> {
  const values = views.map(({ videoId, at }) => ({
    video_id: videoId,
    event_time: toClickHouseDateTime(at),
    error: '',
    raw_message: '',
    topic: 't',
    partition: 0,
    offset: 0,
  }));
  await clickhouse.client.insert({ table: `${database}.views_parsed`, format: 'JSONEachRow', values });
}

/** Rolls what arrived up into the hour, day, month and all-time tables, as each refresh of the service does first. */
export async function rollUp(clickhouse: ClickHouseService, config: AppConfig): Promise<void> {
  await new RollupService(new RollupRepository(clickhouse), config).run();
}
