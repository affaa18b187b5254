// The migration runner against real (embedded) ClickHouse: idempotent, recorded, and strict about edits.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { migrationFiles } from '../src/clickhouse/sql-files';
import { loadConfig } from '../src/config/app-config';
import { TEST_CHDB_PATH } from './support/app';
import { uniqueName } from './support/kafka';

describe(runMigrations.name, () => {
  const name = uniqueName('migrate');
  const config = loadConfig({ CHDB_PATH: TEST_CHDB_PATH, CLICKHOUSE_DATABASE: name, KAFKA_TOPIC: name, KAFKA_GROUP: name });
  let clickhouse: ClickHouseService;

  beforeAll(() => {
    clickhouse = new ClickHouseService(config);
  });

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    await clickhouse.onApplicationShutdown();
  });

  it('applies every file once, records it, and applies nothing the second time', async () => {
    const files = migrationFiles();
    const first = await runMigrations(clickhouse, config);
    expect(first.applied).toHaveLength(files.length);
    const second = await runMigrations(clickhouse, config);
    expect(second).toEqual({ applied: [], skipped: first.applied });

    const recorded = await clickhouse.select<{ version: number }>('SELECT version FROM {db:Identifier}.schema_migrations FINAL ORDER BY version');
    expect(recorded.map((r) => Number(r.version))).toEqual(files.map((f) => f.version));
    const tables = await clickhouse.select<{ name: string; engine: string }>(
      'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name',
      { db: name },
    );
    expect(Object.fromEntries(tables.map((t) => [t.name, t.engine]))).toMatchObject({
      views_queue: 'Kafka',
      views_parsed: 'Null',
      views_by_minute: 'SummingMergeTree',
      views_by_hour: 'SummingMergeTree',
      views_total: 'SummingMergeTree',
      views_dead_letter: 'MergeTree',
      views_queue_mv: 'MaterializedView',
    });
  });

  it('binds configuration into the tables: topic, group, TTLs', async () => {
    const [queue] = await clickhouse.select<{ create_table_query: string }>(
      "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = 'views_queue'",
      { db: name },
    );
    expect(queue.create_table_query).toContain(`kafka_topic_list = '${name}'`);
    expect(queue.create_table_query).toContain(`kafka_group_name = '${name}'`);
    const [hour] = await clickhouse.select<{ create_table_query: string }>(
      "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = 'views_by_hour'",
      { db: name },
    );
    expect(hour.create_table_query).toMatch(/TTL hour \+ toIntervalDay\(_CAST\(35, 'UInt32'\)\)/);
  });

  it('refuses a migration file that changed after it was applied', async () => {
    const files = migrationFiles().map((f, i) => (i === 0 ? { ...f, text: `${f.text}\n-- edited` } : f));
    await expect(runMigrations(clickhouse, config, files)).rejects.toThrow(/0001_aggregate_tables was changed after it was applied/);
  });

  it('`npm run migrate` applies the migrations from the command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viewrank-migrate-'));
    try {
      const env = { ...process.env, CHDB_PATH: dir, CLICKHOUSE_DATABASE: name, KAFKA_TOPIC: name, KAFKA_GROUP: `${name}_cli` };
      const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../dist/clickhouse/migrate.cli.js')], { env });
      expect(stdout).toContain('applied: 0001_aggregate_tables, 0002_dead_letter, 0003_parsed_stream, 0004_kafka_queue');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
