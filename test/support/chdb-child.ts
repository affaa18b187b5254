// SQL on a data directory of another (stopped) service, from a child process: chDB opens one data directory per
// process, and cannot open another once it closed, so a test that checks several directories asks a child each time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const MARK = '@@rows@@';

/** Rows of `sql` (bound to the database as {db:Identifier}) on `dataDir`, read by the built service's own client. */
export function selectInChild<T>(dataDir: string, database: string, sql: string): T[] {
  const dist = join(__dirname, '../../dist');
  const script = `
    const { ClickHouseService } = require(${JSON.stringify(join(dist, 'clickhouse/clickhouse.service.js'))});
    const { loadConfig } = require(${JSON.stringify(join(dist, 'config/app-config.js'))});
    (async () => {
      const clickhouse = new ClickHouseService(loadConfig({ CHDB_PATH: process.argv[1], CLICKHOUSE_DATABASE: process.argv[2] }));
      try {
        process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(await clickhouse.select(process.argv[3])));
      } finally {
        await clickhouse.onApplicationShutdown();
      }
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script, dataDir, database, sql], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0 || !run.stdout.includes(MARK))
    throw new Error(`query on ${dataDir} failed (${run.status}):\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout.slice(run.stdout.lastIndexOf(MARK) + MARK.length)) as T[];
}

/**
 * Every counting table's total on `dataDir` (a stopped service's): the minutes' views and on-time views, the hour, day
 * and month tables, the totals, the recent blocks and the ingestion count. After an exact run every one equals the
 * views sent.
 */
export function tableSums(dataDir: string, database: string): Record<string, number> {
  const [row] = selectInChild<Record<string, string>>(
    dataDir,
    database,
    `SELECT (SELECT sum(views) FROM {db:Identifier}.views_by_minute) AS views_by_minute,
            (SELECT sum(views) FROM {db:Identifier}.views_by_hour) AS views_by_hour,
            (SELECT sum(views) FROM {db:Identifier}.views_by_day) AS views_by_day,
            (SELECT sum(views) FROM {db:Identifier}.views_by_month) AS views_by_month,
            (SELECT sum(views) FROM {db:Identifier}.views_total) AS views_total,
            (SELECT sum(views) FROM {db:Identifier}.views_recent) AS views_recent,
            (SELECT sum(on_time) FROM {db:Identifier}.views_by_minute) AS views_by_minute_on_time,
            (SELECT sum(views) FROM {db:Identifier}.ingest_counts) AS ingest_counts`,
  );
  return Object.fromEntries(Object.entries(row).map(([table, sum]) => [table, Number(sum)]));
}
