// The migration runner against real (embedded) ClickHouse: idempotent, recorded, and strict about edits.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { ensureQueue } from '../src/clickhouse/ingest-queue';
import { runMigrations } from '../src/clickhouse/migrations';
import { migrationFiles } from '../src/clickhouse/sql-files';
import { loadConfig } from '../src/config/app-config';
import { RollupRepository } from '../src/rollup/rollup.repository';
import { RollupService } from '../src/rollup/rollup.service';
import { isolated, TEST_CHDB_PATH } from './support/app';
import { uniqueName } from './support/kafka';
import { onDatabase } from './support/clickhouse';

/** A row of views_parsed that is a dead letter: it counts as no view, yet carries its partition's progress. */
const deadLetter = (partition: number, offset: number, appendedAt: string) => ({
  video_id: '',
  event_time: null,
  error: 'video_id is missing or empty',
  raw_message: '{}',
  topic: 't',
  partition,
  offset,
  appended_at: appendedAt,
});

describe(runMigrations.name, () => {
  const name = uniqueName('migrate');
  const config = loadConfig({ CHDB_PATH: TEST_CHDB_PATH, ...isolated(name) });
  let clickhouse: ClickHouseService;

  beforeAll(() => {
    clickhouse = new ClickHouseService(config);
  });

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    await clickhouse.onApplicationShutdown();
  });

  /** A database of its own (its topic and group named after it) for migrating an older schema up. */
  function olderDatabase(prefix: string) {
    const database = uniqueName(prefix);
    const upgrade: typeof config = {
      ...config,
      clickhouse: { ...config.clickhouse, database },
      kafka: { ...config.kafka, topic: database, group: database },
    };
    return { database, upgrade, db: onDatabase(clickhouse, database) };
  }

  it('applies every file once, records it, and applies nothing the second time', async () => {
    const files = migrationFiles();
    const first = await runMigrations(clickhouse, config);
    expect(first.applied).toHaveLength(files.length);
    const second = await runMigrations(clickhouse, config);
    expect(second).toEqual({ applied: [], skipped: first.applied });

    const recorded = await clickhouse.select<{ version: number }>(
      'SELECT version FROM {db:Identifier}.schema_migrations FINAL ORDER BY version',
    );
    expect(recorded.map((r) => Number(r.version))).toEqual(files.map((f) => f.version));
    // The Kafka engine table and its view are the service's since 0014, created at its start for INGEST_GUARANTEE.
    const queue = () =>
      clickhouse.select("SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE 'views_queue%'", { db: name });
    expect(await queue()).toEqual([]);
    expect(await ensureQueue(clickhouse, config, async () => undefined)).toMatchObject({ action: 'create', guarantee: 'exactly-once' });
    expect(await ensureQueue(clickhouse, config, async () => undefined)).toMatchObject({ action: 'keep' });
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

  it('carries counts already made into the day, month and rebuilt tables once (0010, 0011), and keeps counting after', async () => {
    const { database, upgrade, db } = olderDatabase('upgrade');
    const views = (times: string[]) =>
      db.client.insert({
        table: `${database}.views_parsed`,
        format: 'JSONEachRow',
        values: times.map((t, i) => ({
          video_id: `v${i % 3}`,
          event_time: t,
          error: '',
          raw_message: '',
          topic: 't',
          partition: 0,
          offset: i,
        })),
      });
    const sorted = (select: string) => `(SELECT groupArraySorted(1000)(row) FROM (${select}))`;
    /** Every (period, video, views) of the hour and all-time tables, and with `windows` of the day and month ones. */
    const sums = async (windows: boolean) => {
      const columns = [
        `${sorted('SELECT (toString(hour), video_id, sum(views)) AS row FROM {db:Identifier}.views_by_hour GROUP BY hour, video_id')} AS hour`,
        `${sorted('SELECT (video_id, sum(views)) AS row FROM {db:Identifier}.views_total GROUP BY video_id')} AS total`,
      ];
      if (windows) {
        columns.push(
          `${sorted('SELECT (toString(day), video_id, sum(views)) AS row FROM {db:Identifier}.views_by_day GROUP BY day, video_id')} AS day`,
          `${sorted('SELECT (toString(toStartOfDay(hour)) AS d, video_id, sum(views)) AS row FROM {db:Identifier}.views_by_hour GROUP BY d, video_id')} AS day_from_hours`,
          `${sorted('SELECT (toString(month), video_id, sum(views)) AS row FROM {db:Identifier}.views_by_month GROUP BY month, video_id')} AS month`,
          `${sorted("SELECT (toString(toDateTime(toStartOfMonth(hour), 'UTC')) AS m, video_id, sum(views)) AS row FROM {db:Identifier}.views_by_hour GROUP BY m, video_id")} AS month_from_hours`,
        );
      }
      const [row] = await db.select<Record<string, unknown[]>>(`SELECT ${columns.join(', ')}`);
      return row;
    };
    try {
      await runMigrations(
        db,
        upgrade,
        migrationFiles().filter((f) => f.version <= 9),
      );
      const now = Date.now();
      const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      // Every view stays inside each table's retention at every step, so no background TTL merge (the engine's clock,
      // ttl_only_drop_parts) can take a part between the two reads: hours and days keep 35 days, and 33 days back
      // (less a day for the day's start) is always in an earlier month than now, months being at most 31 days long.
      await views([at(0), at(0), at(1), at(30), at(30), at(24 * 33), at(24 * 33), at(2)]);
      expect(upgrade.retention.hourDays).toBeGreaterThanOrEqual(33 + 2);
      const before = await sums(false);
      // Up to 0013: 0014 hands the queue's view over to the service, and this checks that 0010 and 0011 attached it again.
      const result = await runMigrations(
        db,
        upgrade,
        migrationFiles().filter((f) => f.version <= 13),
      );
      expect(result.applied).toEqual(expect.arrayContaining(['0010_window_tables_and_recent_views', '0011_small_granules']));
      const after = await sums(true);
      expect(after.hour).toEqual(before.hour);
      expect(after.total).toEqual(before.total);
      expect(after.day).toEqual(after.day_from_hours);
      expect(after.month).toEqual(after.month_from_hours);
      expect(after.day).not.toEqual([]);

      // The views are re-pointed at the rebuilt tables, and ingestion's view is attached again.
      await views([at(0), at(0), at(3)]);
      const later = await sums(true);
      expect(later.day).toEqual(later.day_from_hours);
      expect(later.month).toEqual(later.month_from_hours);
      const total = (row: Record<string, unknown[]>) => (row.total as [string, string][]).reduce((n, [, v]) => n + Number(v), 0);
      expect(total(later)).toBe(total(before) + 3);
      const tables = await db.select<{ name: string; query: string }>(
        "SELECT name, create_table_query AS query FROM system.tables WHERE database = {db:String} AND name IN ('views_by_hour', 'views_total', 'views_by_day', 'views_by_month', 'views_queue_mv')",
        { db: database },
      );
      expect(tables.map((t) => t.name).sort()).toEqual([
        'views_by_day',
        'views_by_hour',
        'views_by_month',
        'views_queue_mv',
        'views_total',
      ]);
      for (const t of tables.filter((t) => t.name !== 'views_queue_mv')) expect(t.query).toContain('index_granularity = 1024');
    } finally {
      await db.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });

  it('counts the open minutes of an older database as on time (0012), then decides by append time and records offsets', async () => {
    const { database, upgrade, db } = olderDatabase('upgrade12');
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const at = (t: number) => new Date(t).toISOString().slice(0, 23).replace('T', ' ');
    try {
      await runMigrations(
        db,
        upgrade,
        migrationFiles().filter((f) => f.version <= 11),
      );
      await db.client.insert({
        table: `${database}.views_parsed`,
        format: 'JSONEachRow',
        values: ['a', 'a', 'b'].map((video_id, i) => ({
          video_id,
          event_time: at(minute + i),
          error: '',
          raw_message: '',
          topic: 't',
          partition: 0,
          offset: i,
        })),
      });
      expect(
        (
          await runMigrations(
            db,
            upgrade,
            migrationFiles().filter((f) => f.version <= 13),
          )
        ).applied,
      ).toEqual(expect.arrayContaining(['0012_last_hour_on_time']));
      const arrivals = () =>
        db.select<{ video_id: string; views: string }>(
          "SELECT video_id, toString(sum(views)) AS views FROM {db:Identifier}.last_hour_arrivals WHERE video_id != '' GROUP BY video_id ORDER BY video_id",
        );
      expect(await arrivals()).toEqual([
        { video_id: 'a', views: '2' },
        { video_id: 'b', views: '1' },
      ]);

      // From here on, the append time decides: 'a' reached Kafka 30 s after its minute ended (on time), 'b' 31 s.
      await db.client.insert({
        table: `${database}.views_parsed`,
        format: 'JSONEachRow',
        values: [
          {
            video_id: 'a',
            event_time: at(minute),
            error: '',
            raw_message: '',
            topic: 't',
            partition: 1,
            offset: 41,
            appended_at: at(minute + 90_000),
          },
          {
            video_id: 'b',
            event_time: at(minute),
            error: '',
            raw_message: '',
            topic: 't',
            partition: 2,
            offset: 7,
            appended_at: at(minute + 91_000),
          },
          deadLetter(2, 8, at(minute)),
        ],
      });
      expect(await arrivals()).toEqual([
        { video_id: 'a', views: '3' },
        { video_id: 'b', views: '1' },
      ]);
      const offsets = await db.select<{ partition: string; next_offset: string }>(
        'SELECT toString(partition) AS partition, toString(max(next_offset)) AS next_offset FROM {db:Identifier}.ingested_offsets GROUP BY partition ORDER BY partition',
      );
      expect(offsets).toEqual([
        { partition: '1', next_offset: '42' },
        { partition: '2', next_offset: '9' },
      ]);
      const [queue] = await db.select<{ query: string }>(
        "SELECT create_table_query AS query FROM system.tables WHERE database = {db:String} AND name = 'views_queue_mv'",
        { db: database },
      );
      expect(queue.query).toContain('_timestamp_ms');
      const [settings] = await db.select<{ late_tolerance_ms: number }>('SELECT late_tolerance_ms FROM {db:Identifier}.last_hour_settings');
      expect(settings.late_tolerance_ms).toBe(config.lateToleranceMs);
    } finally {
      await db.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });

  it('counts each view once from 0016: the on-time counts move into views_by_minute, with the progress, nothing twice', async () => {
    const { database, upgrade, db } = olderDatabase('upgrade16');
    // Five minutes back: far inside the minutes' 3 h TTL, which the engine applies by the real clock.
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const at = (t: number) => new Date(t).toISOString().slice(0, 23).replace('T', ' ');
    // A view of `video_id` in `minute`, its message appended `appendedAfterMs` after the minute began: on time up to
    // 90 s (the minute's end plus the 30 s tolerance).
    const view = (video_id: string, partition: number, offset: number, appendedAfterMs: number) => ({
      video_id,
      event_time: at(minute),
      error: '',
      raw_message: '',
      topic: 't',
      partition,
      offset,
      appended_at: at(minute + appendedAfterMs),
    });
    const insert = (values: object[]) => db.client.insert({ table: `${database}.views_parsed`, format: 'JSONEachRow', values });
    const minutes = () =>
      db.select<{ video_id: string; views: string; on_time: string }>(
        `SELECT video_id, toString(sum(views)) AS views, toString(sum(on_time)) AS on_time FROM {db:Identifier}.views_by_minute
         WHERE video_id != '' GROUP BY video_id ORDER BY video_id`,
      );
    const totals = () =>
      db.select<{ video_id: string; views: string }>(
        'SELECT video_id, toString(sum(views)) AS views FROM {db:Identifier}.views_total GROUP BY video_id ORDER BY video_id',
      );
    try {
      await runMigrations(
        db,
        upgrade,
        migrationFiles().filter((f) => f.version <= 15),
      );
      // Through the chain of 0015: 'a' twice on time, 'b' once late (91 s).
      await insert([view('a', 0, 0, 1_000), view('a', 0, 1, 2_000), view('b', 0, 2, 91_000)]);

      expect(
        (
          await runMigrations(
            db,
            upgrade,
            migrationFiles().filter((f) => f.version <= 16),
          )
        ).applied,
      ).toEqual(['0016_one_minute_view']);
      const gone = await db.select("SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE 'last_hour_arrivals%'", {
        db: database,
      });
      expect(gone).toEqual([]);
      // The on-time counts carried over; the copy added no views anywhere.
      expect(await minutes()).toEqual([
        { video_id: 'a', views: '2', on_time: '2' },
        { video_id: 'b', views: '1', on_time: '0' },
      ]);
      expect(await totals()).toEqual([
        { video_id: 'a', views: '2' },
        { video_id: 'b', views: '1' },
      ]);

      // From here on one view counts both, and the progress of each partition reaches ingested_offsets, also from a
      // block's dead letter (on the marker row), which no other table counts as a view.
      await insert([view('a', 1, 41, 90_000), view('b', 2, 7, 91_000), deadLetter(2, 8, at(minute))]);
      expect(await minutes()).toEqual([
        { video_id: 'a', views: '3', on_time: '3' },
        { video_id: 'b', views: '2', on_time: '0' },
      ]);
      expect(await totals()).toEqual([
        { video_id: 'a', views: '3' },
        { video_id: 'b', views: '2' },
      ]);
      for (const table of ['views_by_hour', 'views_by_day', 'views_by_month', 'views_recent']) {
        const [row] = await db.select<{ views: string; empty: string }>(
          "SELECT toString(sum(views)) AS views, toString(countIf(video_id = '')) AS empty FROM {db:Identifier}.{table:Identifier}",
          { table },
        );
        expect({ table, ...row }).toEqual({ table, views: '5', empty: '0' });
      }
      const offsets = await db.select<{ partition: string; next_offset: string }>(
        'SELECT toString(partition) AS partition, toString(max(next_offset)) AS next_offset FROM {db:Identifier}.ingested_offsets GROUP BY partition ORDER BY partition',
      );
      expect(offsets).toEqual([
        { partition: '0', next_offset: '3' },
        { partition: '1', next_offset: '42' },
        { partition: '2', next_offset: '9' },
      ]);
    } finally {
      await db.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });

  it('rolls the grains up from 0017: what was counted stays, what arrives after is rolled up once, also when run again', async () => {
    const { database, upgrade, db } = olderDatabase('upgrade17');
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const at = (t: number) => new Date(t).toISOString().slice(0, 23).replace('T', ' ');
    let offset = 0;
    const insert = (ids: string[]) =>
      db.client.insert({
        table: `${database}.views_parsed`,
        format: 'JSONEachRow',
        values: ids.map((video_id) => ({
          video_id,
          event_time: at(minute),
          error: '',
          raw_message: '',
          topic: 't',
          partition: 0,
          offset: offset++,
          appended_at: at(minute + 1000),
        })),
      });
    /** Each grain's views per video, as 'id:views' sorted. */
    const grains = async () => {
      const out: Record<string, string[]> = {};
      for (const table of ['views_by_hour', 'views_by_day', 'views_by_month', 'views_total']) {
        const rows = await db.select<{ row: string }>(
          "SELECT concat(video_id, ':', toString(sum(views))) AS row FROM {db:Identifier}.{table:Identifier} GROUP BY video_id ORDER BY video_id",
          { table },
        );
        out[table] = rows.map((r) => r.row);
      }
      return out;
    };
    const everyGrain = (rows: string[]) =>
      Object.fromEntries(['views_by_hour', 'views_by_day', 'views_by_month', 'views_total'].map((t) => [t, rows]));
    const rollup = () => new RollupService(new RollupRepository(db), { ...upgrade, refreshIntervalMs: 1000 });
    try {
      await runMigrations(
        db,
        upgrade,
        migrationFiles().filter((f) => f.version <= 16),
      );
      await insert(['a', 'a', 'b']); // through the views of 0016, straight into every grain
      expect((await runMigrations(db, upgrade)).applied).toEqual(['0017_grains_rolled_up']);
      expect(await grains()).toEqual(everyGrain(['a:2', 'b:1']));
      // What views_recent held is in the grains already: the rollup starts after it.
      const repository = new RollupRepository(db);
      expect(await repository.state()).toEqual({ intent: 0, done: await repository.newestBlock() });
      expect(await rollup().run()).toBeUndefined();
      expect(await grains()).toEqual(everyGrain(['a:2', 'b:1']));

      // From here on a block writes views_recent, and the grains wait for the rollup.
      await insert(['a', 'c', 'c']);
      expect(await grains()).toEqual(everyGrain(['a:2', 'b:1']));
      const first = await rollup().run();
      expect(first).toBeDefined();
      expect(await grains()).toEqual(everyGrain(['a:3', 'b:1', 'c:2']));
      expect(await rollup().run()).toBeUndefined(); // nothing new
      expect(await grains()).toEqual(everyGrain(['a:3', 'b:1', 'c:2']));

      // A rollup cut short after its insert, before it was recorded done: the next one runs it again, and every grain
      // drops the repeat.
      await insert(['d']);
      const range = { from: first!.upto, upto: await repository.newestBlock() };
      await repository.intend(range);
      await repository.apply(range);
      expect(await grains()).toEqual(everyGrain(['a:3', 'b:1', 'c:2', 'd:1']));
      expect(await rollup().run()).toEqual(range);
      expect(await grains()).toEqual(everyGrain(['a:3', 'b:1', 'c:2', 'd:1']));
      expect(await repository.state()).toEqual({ intent: range.upto, done: range.upto });

      // Two instances at once: one intent is kept, both run it, it counts once.
      await insert(['e', 'e']);
      await Promise.all([rollup().run(), rollup().run(), rollup().run()]);
      expect(await grains()).toEqual(everyGrain(['a:3', 'b:1', 'c:2', 'd:1', 'e:2']));

      // views_recent's partitions go once two hours old and rolled up, not before.
      const old = (id: string) =>
        db.command('INSERT INTO {db:Identifier}.views_recent SELECT now64(3) - toIntervalHour(3), toStartOfHour(now()), {id:String}, 4', {
          id,
        });
      const recent = async () =>
        (await db.select<{ id: string }>("SELECT DISTINCT video_id AS id FROM {db:Identifier}.views_recent WHERE video_id = 'old'")).length;
      await old('old');
      const { done } = await repository.state();
      expect(await repository.dropExpired(2, done)).toEqual([]); // not rolled up yet
      expect(await recent()).toBe(1);
      // Rolled up (a new instance looks for old partitions at once), yet kept: it holds the newest block, which a
      // restarted engine numbers the next one after.
      await rollup().run();
      expect(await recent()).toBe(1);
      await insert(['f']); // a newer block, in the current hour
      await rollup().run();
      expect(await recent()).toBe(0);
      expect((await grains()).views_total).toEqual(['a:3', 'b:1', 'c:2', 'd:1', 'e:2', 'f:1', 'old:4']);
    } finally {
      await db.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  });

  it("keeps a statement's settings to that statement: a deduplication token does not drop the next insert", async () => {
    const setting = async () =>
      (await clickhouse.select<{ token: string }>("SELECT getSetting('insert_deduplication_token') AS token"))[0].token;
    await clickhouse.command('SELECT 1', {}, { insert_deduplication_token: 'for-that-statement-alone' });
    expect(await setting()).toBe('');
    // What the leak did (chdb 3.4.0 applies a query's settings as SET on the session): an insert without a token of
    // its own, after one with, was a "repeat" of it in a table with a deduplication window, and was dropped.
    const { db } = olderDatabase('settings');
    try {
      await runMigrations(db, { ...config, clickhouse: { ...config.clickhouse, database: db.database } });
      const record = (step: string, upto: number, settings = {}) =>
        db.command('INSERT INTO {db:Identifier}.views_rollup (step, upto) SELECT {step:String}, {upto:UInt64}', { step, upto }, settings);
      await record('intent', 7, { insert_deduplication_token: 'rollup-intent:0' });
      await record('done', 7);
      expect(await db.select('SELECT step, toString(upto) AS n FROM {db:Identifier}.views_rollup WHERE upto = 7 ORDER BY step')).toEqual([
        { step: 'intent', n: '7' },
        { step: 'done', n: '7' },
      ]);
    } finally {
      await db.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
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
