// The schema lock (src/clickhouse/schema-lock.ts) against real (embedded) ClickHouse: instances starting together
// against one ClickHouse run each migration once between them and create the Kafka engine table once; a live holder
// makes the others wait; a dead holder's lock is broken after its lease. Each "instance" is a chDB session of its own.
import { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { openSeparateSession } from '../src/clickhouse/clickhouse.client';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { SqlRunner } from '../src/clickhouse/sql-runner';
import { withSchemaLock } from '../src/clickhouse/schema-lock';
import { migrationFiles, namedQuery } from '../src/clickhouse/sql-files';
import { loadConfig } from '../src/config/app-config';
import { ensureQueue } from '../src/clickhouse/ingest-queue';
import { isolated, TEST_CHDB_PATH } from './support/app';
import { uniqueName } from './support/kafka';

/** A migration runner on a chDB session of its own, as another instance would be, recording the statements it ran. */
function instance(client: ClickHouseClient, ran: string[]): SqlRunner {
  return {
    command: async (query, params = {}, settings = {}) => {
      if (!/schema_lock/.test(query)) ran.push(query);
      await client.command({ query, query_params: params, clickhouse_settings: settings as ClickHouseSettings });
    },
    select: async <T>(query: string, params: Record<string, unknown> = {}) =>
      (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>(),
  };
}

describe('the schema lock', () => {
  const base = loadConfig({ CHDB_PATH: TEST_CHDB_PATH, ...isolated(uniqueName('lock')) });
  let clickhouse: ClickHouseService;
  const sessions: ClickHouseClient[] = [];
  const session = () => {
    const client = openSeparateSession(base.clickhouse);
    sessions.push(client);
    return client;
  };
  const configFor = (database: string) => ({ ...base, clickhouse: { ...base.clickhouse, database } });
  const databases: string[] = [];
  const fresh = (prefix: string) => {
    const database = uniqueName(prefix);
    databases.push(database);
    return database;
  };
  const count = async (database: string) => {
    const [row] = await clickhouse.select<{ n: string }>('SELECT count() AS n FROM {db:Identifier}.schema_migrations', { db: database });
    return Number(row.n);
  };

  beforeAll(() => {
    clickhouse = new ClickHouseService(base);
  });

  afterAll(async () => {
    for (const database of databases) await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC', { db: database });
    for (const client of sessions) await client.close();
    await clickhouse.onApplicationShutdown();
  });

  it('lets two instances starting together run each migration once between them, and create the queue once', async () => {
    const database = fresh('lock_race');
    const config = configFor(database);
    const ran: [string[], string[]] = [[], []];
    const runners = [instance(session(), ran[0]), instance(session(), ran[1])];
    const results = await Promise.all(runners.map((runner) => runMigrations(runner, config)));
    const files = migrationFiles();
    // One instance applied them all; the other found them recorded and applied none.
    expect(results.map((r) => r.applied.length).sort((a, b) => a - b)).toEqual([0, files.length]);
    expect(results.map((r) => r.skipped.length).sort((a, b) => a - b)).toEqual([0, files.length]);
    // Recorded once each: without the lock both would have applied and recorded every file (count() sees both rows
    // before ReplacingMergeTree merges them).
    expect(await count(database)).toBe(files.length);
    const statements = (r: string[]) => r.filter((q) => !/schema_migrations|CREATE DATABASE IF NOT EXISTS/.test(q));
    expect(Math.min(statements(ran[0]).length, statements(ran[1]).length)).toBe(0);

    const plans = await Promise.all(runners.map((runner) => ensureQueue(runner, config, async () => undefined, 'race')));
    expect(plans.map((p) => p.action).sort()).toEqual(['create', 'keep']);
  });

  it('makes an instance wait while a live holder migrates, then go on', async () => {
    const database = fresh('lock_wait');
    const config = configFor(database);
    await clickhouse.command('CREATE DATABASE {db:Identifier}', { db: database });
    const waits: string[] = [];
    let releasedAt = 0;
    const holder = withSchemaLock(instance(session(), []), database, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      releasedAt = Date.now();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await runMigrations(instance(session(), []), config, undefined, { onWait: (m) => waits.push(m) });
    const doneAt = Date.now();
    await holder;
    expect(releasedAt).toBeGreaterThan(0);
    expect(doneAt).toBeGreaterThanOrEqual(releasedAt);
    expect(waits).toEqual([expect.stringMatching(new RegExp(`^waiting for the schema lock of ${database}, held by .+:${process.pid}:`))]);
    expect(result.applied).toHaveLength(migrationFiles().length);
  });

  it("breaks the lock of a holder that died, once its heartbeat is older than the lease, and never a live one's", async () => {
    const database = fresh('lock_dead');
    const config = configFor(database);
    await clickhouse.command('CREATE DATABASE {db:Identifier}', { db: database });
    // What a holder killed mid-migration leaves: the lock table with its last heartbeat.
    await clickhouse.command(namedQuery('schema_lock_take'), { db: database });
    await clickhouse.command("INSERT INTO {db:Identifier}.schema_lock (holder) VALUES ('dead-host:1:00000000')", { db: database });
    const waits: string[] = [];
    const started = Date.now();
    const result = await runMigrations(instance(session(), []), config, undefined, {
      leaseMs: 2000,
      pollMs: 100,
      onWait: (m) => waits.push(m),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(waits).toEqual([
      `waiting for the schema lock of ${database}, held by dead-host:1:00000000`,
      `schema lock of ${database} held by dead-host:1:00000000 with no heartbeat for 2000 ms: broken`,
    ]);
    expect(result.applied).toHaveLength(migrationFiles().length);
    // Released after: nothing left behind.
    expect(
      await clickhouse.select('SELECT name FROM system.tables WHERE database = {db:String} AND name = {n:String}', {
        db: database,
        n: 'schema_lock',
      }),
    ).toEqual([]);

    // A live holder renews its heartbeat: a waiter with the same short lease never breaks it.
    const waits2: string[] = [];
    const live = withSchemaLock(instance(session(), []), database, () => new Promise((resolve) => setTimeout(resolve, 3500)), {
      heartbeatMs: 300,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runMigrations(instance(session(), []), config, undefined, { leaseMs: 2000, pollMs: 100, onWait: (m) => waits2.push(m) });
    await live;
    expect(waits2).toHaveLength(1);
    expect(waits2[0]).toMatch(/^waiting for the schema lock/);
  });
});
