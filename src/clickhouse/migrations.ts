// Applies the migrations of the layout (clickhouse/migrations/, or clickhouse/cluster/migrations/ on a cluster) in
// order, once each, and records them in schema_migrations.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { SchemaLockOptions, withSchemaLock } from './schema-lock';
import { SqlRunner } from './sql-runner';
import { clusterDir, MigrationFile, migrationFiles, namedQuery } from './sql-files';
import { checkCluster, CLUSTER_SCHEMA_MIGRATIONS } from './cluster';
import { splitStatements } from './sql-statements';

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

/**
 * Retention of the service's own records, no longer settings (RETENTION_DEAD_LETTER_DAYS, RETENTION_SNAPSHOT_HOURS,
 * RETENTION_FINAL_LIST_DAYS): they size no counting window and nothing reads them past these ages.
 * - dead letters, 30 days: an operator's month to see, fix and replay them (docs/ingest-and-security.md);
 * - served lists (topk_snapshots), 24 hours: only the newest is read back, at start; a day is for looking back;
 * - final lists (topk_final), 400 days after the window's end: past the 13 months a month's counts are kept, so
 *   every past window still answerable keeps its final list.
 * They are bound by the migrations that create the tables; changing one takes a new migration, not a restart.
 */
export const DEAD_LETTER_RETENTION_DAYS = 30;
export const SNAPSHOT_RETENTION_HOURS = 24;
export const FINAL_LIST_RETENTION_DAYS = 400;
/**
 * Views whose event time is older than 90 days are dead-lettered (was MAX_EVENT_AGE_DAYS), at both doors (the queue's
 * view and POST /views). At most 95, so that one Kafka block never spans more than the 100 day partitions a block may
 * write (max_partitions_per_insert_block); 90 keeps the newest three months, past what any window or replay needs.
 */
export const MAX_EVENT_AGE_DAYS = 90;

/** Values the migration files bind; every one comes from validated configuration or the constants above. */
export function migrationParams(config: AppConfig): Record<string, string | number> {
  return {
    db: config.clickhouse.database,
    kafka_brokers: config.kafka.clickhouseBrokers,
    kafka_topic: config.kafka.topic,
    kafka_group: config.kafka.group,
    kafka_consumers: config.kafka.consumers,
    kafka_max_block_size: config.kafka.maxBlockSize,
    kafka_format: config.kafka.format,
    kafka_flush_interval_ms: config.kafka.flushIntervalMs,
    minute_retention_hours: config.retention.minuteHours,
    hour_retention_days: config.retention.hourDays,
    month_retention_months: config.retention.monthMonths,
    dead_letter_retention_days: DEAD_LETTER_RETENTION_DAYS,
    snapshot_retention_hours: SNAPSHOT_RETENTION_HOURS,
    final_list_retention_days: FINAL_LIST_RETENTION_DAYS,
    max_event_age_days: MAX_EVENT_AGE_DAYS,
    late_tolerance_ms: config.lateToleranceMs,
  };
}

/**
 * Runs a statement again while ClickHouse answers "Retry later": ATTACH of a view that the Kafka engine's background
 * thread still holds from its DETACH. Seen on a loaded machine, and for about 12 s when the view's topic does not
 * exist yet (a fresh database, whose topic the service creates after the migrations), which migrating over HTTP is
 * slow enough to meet (test/server-mode.int-spec.ts). Any other error is thrown at once.
 */
export async function retryingLater(run: () => Promise<void>, timeoutMs = 60_000, delayMs = 250): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (Date.now() >= until || !/Retry later/i.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export function checksum(file: MigrationFile): string {
  return createHash('sha256').update(file.text).digest('hex');
}

/** The migrations of the configured layout: clickhouse/migrations/, or on a cluster clickhouse/cluster/migrations/. */
export function layoutMigrationFiles(config: AppConfig): MigrationFile[] {
  return config.clickhouse.cluster ? migrationFiles(join(clusterDir(), 'migrations')) : migrationFiles();
}

/**
 * Idempotent: statements are CREATE … IF NOT EXISTS, a migration is recorded only after all its statements
 * succeeded, and one already recorded is skipped (a changed file is reported, never silently re-applied). Runs under
 * the schema lock (schema-lock.ts), so instances starting together never run the same migration twice: the second
 * reads what the first recorded once it has the lock. On a cluster (CLICKHOUSE_CLUSTER) it first checks the server
 * belongs to it; the lock, the log and every statement are then ON CLUSTER, so one instance migrates the whole cluster
 * once.
 */
export async function runMigrations(
  db: SqlRunner,
  config: AppConfig,
  files = layoutMigrationFiles(config),
  lock: Partial<SchemaLockOptions> = {},
): Promise<MigrationResult> {
  const params = migrationParams(config);
  const onCluster = config.clickhouse.cluster !== undefined;
  if (config.clickhouse.cluster) await checkCluster(db, config.clickhouse.cluster);
  await db.command(
    onCluster ? "CREATE DATABASE IF NOT EXISTS {db:Identifier} ON CLUSTER '{cluster}'" : 'CREATE DATABASE IF NOT EXISTS {db:Identifier}',
    { db: params.db },
  );
  return withSchemaLock(db, config.clickhouse.database, () => applyMigrations(db, params, files, onCluster), { onCluster, ...lock });
}

async function applyMigrations(
  db: SqlRunner,
  params: Record<string, string | number>,
  files: MigrationFile[],
  onCluster: boolean,
): Promise<MigrationResult> {
  await db.command(
    onCluster
      ? namedQuery(CLUSTER_SCHEMA_MIGRATIONS.name)
      : `CREATE TABLE IF NOT EXISTS {db:Identifier}.schema_migrations
     (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
     ENGINE = ReplacingMergeTree ORDER BY version`,
    { db: params.db },
  );
  const done = await db.select<{ version: number; checksum: string }>(
    'SELECT version, any(checksum) AS checksum FROM {db:Identifier}.schema_migrations GROUP BY version',
    { db: params.db },
  );
  const applied = new Map(done.map((row) => [Number(row.version), row.checksum]));
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const file of files) {
    const label = `${String(file.version).padStart(4, '0')}_${file.name}`;
    const recorded = applied.get(file.version);
    if (recorded !== undefined) {
      if (recorded !== checksum(file)) {
        throw new Error(`migration ${label} was changed after it was applied; add a new migration instead`);
      }
      result.skipped.push(label);
      continue;
    }
    for (const statement of splitStatements(file.text)) {
      await retryingLater(() => db.command(statement, params));
    }
    await db.command(
      'INSERT INTO {db:Identifier}.schema_migrations (version, name, checksum) VALUES ({version:UInt32}, {name:String}, {checksum:String})',
      { db: params.db, version: file.version, name: file.name, checksum: checksum(file) },
    );
    result.applied.push(label);
  }
  return result;
}
