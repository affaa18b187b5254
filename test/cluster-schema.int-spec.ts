// The cluster schema (clickhouse/cluster/, CLICKHOUSE_CLUSTER) against ClickHouse 26.7, as far as one process can take
// it: no ClickHouse server runs on these machines, and chDB cannot be a cluster (its Distributed tables reach for TCP
// 9000, its Replicated tables stay read-only). So every statement is parsed by the engine (formatQuery), and then,
// with ON CLUSTER and the Replicated engines' Keeper arguments taken out (declustered()), created for real next to a
// single-node database: the Distributed tables over a cluster of the test's own config, the Kafka engine table with its
// offsets in the test's ZooKeeper. The two databases must then have the same tables, columns, keys and views.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { embeddedEngineConfig } from '../src/clickhouse/clickhouse.client';
import { migrationParams, runMigrations } from '../src/clickhouse/migrations';
import { clickhouseDir, clusterDir, clusterQueueFile, migrationFiles, queueFile } from '../src/clickhouse/sql-files';
import { splitStatements } from '../src/clickhouse/sql-statements';
import { checkCluster } from '../src/clickhouse/cluster';
import { loadConfig } from '../src/config/app-config';
import { isolated } from './support/app';
import { declustered, isPerVideoBackfill, SHARDED_BY_VIDEO } from './support/cluster-schema';
import { uniqueName } from './support/kafka';
import { deriveClusterMigrations } from './support/schema-source';
import { CLUSTER_BASE, CLUSTER_KEEPS, withoutComments } from '../src/clickhouse/cluster-ddl';
import { queueSql } from '../src/clickhouse/ingest-queue';

const CLUSTER = 'viewrank_check';
// The test's engine, started before the service's connection opens it (chDB runs one engine per process, started by
// the first session with its configuration): the macros and a two-shard cluster of hosts nothing listens on. Its log
// is at fatal: the checks below make it fail queries on purpose, which it would log with a stack trace each.
const CHDB_PATH = join(tmpdir(), `viewrank-cluster-schema-${process.pid}`);

function engineConfig(zookeeper: ReturnType<typeof loadConfig>['zookeeper']): string {
  const replica = (port: number) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`;
  const sections = `  <macros><cluster>${CLUSTER}</cluster><shard>01</shard><replica>r1</replica></macros>
  <remote_servers><${CLUSTER}>${replica(19000)}${replica(19001)}</${CLUSTER}></remote_servers>\n`;
  return embeddedEngineConfig(zookeeper, 'fatal').replace(/<\/clickhouse>\s*$/, `${sections}</clickhouse>\n`);
}

const clusterFiles = () => [
  ...migrationFiles(join(clusterDir(), 'migrations')).map((f) => f.text),
  queueSql(clusterQueueFile(), 'JSONEachRow'),
];
const clusterStatements = () => clusterFiles().flatMap(splitStatements);

interface TableRow {
  name: string;
  engine: string;
  engine_full: string;
  sorting_key: string;
  partition_key: string;
  as_select: string;
}
interface ColumnRow {
  table: string;
  name: string;
  type: string;
  default_kind: string;
  default_expression: string;
  comment: string;
}

describe('the cluster schema (clickhouse/cluster/)', () => {
  const single = uniqueName('cluster_single');
  const clustered = `${single}_cluster`;
  const config = loadConfig({ CHDB_PATH, ...isolated(single) });
  const clusterConfig = { ...config, clickhouse: { ...config.clickhouse, database: clustered } };
  let clickhouse: ClickHouseService;
  let engine: { close(): void };

  beforeAll(() => {
    mkdirSync(CHDB_PATH, { recursive: true });
    const file = join(CHDB_PATH, 'cluster-check-config.xml');
    writeFileSync(file, engineConfig(config.zookeeper));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- chDB's own session, for its configuration
    const { Session } = require('chdb') as typeof import('chdb');
    engine = new Session(CHDB_PATH, { connectionArgs: [`--config-file=${file}`, '--log-level=fatal'] });
    clickhouse = new ClickHouseService(config);
  });

  afterAll(async () => {
    for (const db of [clustered, single]) await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC', { db });
    await clickhouse.onApplicationShutdown();
    engine.close();
    rmSync(CHDB_PATH, { recursive: true, force: true });
  });

  /** The two databases have the same tables (plus a _local under each Distributed one), columns, engines, keys and views. */
  async function expectSameSchema(single: string, clustered: string): Promise<void> {
    const tables = (db: string) =>
      clickhouse.select<TableRow>(
        `SELECT name, engine, engine_full, sorting_key, partition_key, as_select FROM system.tables
       WHERE database = {db:String} AND name != 'schema_migrations' ORDER BY name`,
        { db },
      );
    const columns = (db: string) =>
      clickhouse.select<ColumnRow>(
        `SELECT table, name, type, default_kind, default_expression, comment FROM system.columns
       WHERE database = {db:String} AND table != 'schema_migrations' ORDER BY table, position`,
        { db },
      );
    const [singleTables, allClusterTables, singleColumns, clusterColumns] = await Promise.all([
      tables(single),
      tables(clustered),
      columns(single),
      columns(clustered),
    ]);
    // What a cluster keeps on purpose (CLUSTER_KEEPS): its grains' view from the minutes, views_recent's TTL.
    const kept: readonly string[] = CLUSTER_KEEPS.views;
    const clusterTables = allClusterTables.filter((t) => !kept.includes(t.name));
    expect(allClusterTables.filter((t) => kept.includes(t.name)).map((t) => t.name)).toEqual(kept);
    const byName = new Map(clusterTables.map((t) => [t.name, t]));
    const local = (name: string) => byName.get(`${name}_local`) ?? byName.get(name);

    // The same names, plus a _local table under each Distributed one.
    const distributed = clusterTables.filter((t) => t.engine === 'Distributed').map((t) => t.name);
    expect(distributed).toEqual(expect.arrayContaining([...SHARDED_BY_VIDEO]));
    expect(clusterTables.map((t) => t.name).sort()).toEqual(
      [...singleTables.map((t) => t.name), ...distributed.map((n) => `${n}_local`)].sort(),
    );
    // The same columns, in the same order, under the single-node name and in its _local table.
    const columnsOf = (rows: ColumnRow[], table: string) => rows.filter((c) => c.table === table).map(({ table: _, ...c }) => c);
    for (const { name } of singleTables) {
      const expected = columnsOf(singleColumns, name);
      expect({ name, columns: columnsOf(clusterColumns, name) }).toEqual({ name, columns: expected });
      if (distributed.includes(name))
        expect({ name, local: columnsOf(clusterColumns, `${name}_local`) }).toEqual({ name, local: expected });
    }
    // The same engines (but for Replicated), sorting and partition keys, TTLs, and the same views over the same sources.
    const ttlOf = (engineFull: string) => /\bTTL (.+?)(?= SETTINGS |$)/.exec(engineFull)?.[1] ?? 'none';
    const normal = (text: string, db: string) =>
      text
        .split(`${db}.`)
        .join('db.')
        .replace(/(\w+)_local\b/g, '$1');
    for (const table of singleTables) {
      const other = local(table.name)!;
      expect({
        name: table.name,
        engine: other.engine,
        sorting_key: other.sorting_key,
        partition_key: other.partition_key,
        ttl: (CLUSTER_KEEPS.ttls as readonly string[]).includes(table.name) ? 'kept' : ttlOf(other.engine_full),
      }).toEqual({
        name: table.name,
        engine: table.engine,
        sorting_key: table.sorting_key,
        partition_key: table.partition_key,
        ttl: (CLUSTER_KEEPS.ttls as readonly string[]).includes(table.name) ? 'kept' : ttlOf(table.engine_full),
      });
      expect({ name: table.name, as_select: normal(other.as_select, clustered) }).toEqual({
        name: table.name,
        as_select: normal(table.as_select, single),
      });
    }
  }

  it('parses in ClickHouse 26.7, statement by statement, each one ON CLUSTER but the one-off insert', async () => {
    const statements = clusterStatements();
    expect(statements.length).toBeGreaterThan(40);
    for (const statement of statements) {
      const [row] = await clickhouse.select<{ formatted: string }>('SELECT formatQuery({q:String}) AS formatted', { q: statement });
      expect(row.formatted.length).toBeGreaterThan(0);
      const insert = /^INSERT\b/.test(statement.replace(/^--.*\n/gm, '').trim());
      if (!insert) expect({ statement, onCluster: /ON CLUSTER '\{cluster\}'/.test(statement) }).toEqual({ statement, onCluster: true });
    }
    // A statement the engine cannot parse fails the check: the parse is ClickHouse's, not a pass-through.
    await expect(
      clickhouse.select('SELECT formatQuery({q:String})', { q: 'CREATE TABLE t ON CLUSTER {c:Identifier} (x UInt8)' }),
    ).rejects.toThrow(/Syntax error/);
  });

  it("checks the server's cluster as CLICKHOUSE_CLUSTER names it: its macro, its shards and hosts", async () => {
    await expect(checkCluster(clickhouse, CLUSTER)).resolves.toEqual({ shards: 2, hosts: 2 });
    await expect(checkCluster(clickhouse, 'elsewhere')).rejects.toThrow(
      'CLICKHOUSE_CLUSTER=elsewhere: the server has no such cluster in remote_servers',
    );
  });

  it('keeps every MergeTree table Replicated, and shards every per-video table by cityHash64(video_id)', () => {
    const statements = clusterStatements();
    const engines = statements.flatMap((s) => [...s.matchAll(/ENGINE = (\w+)/g)].map((m) => m[1]));
    expect(engines.filter((e) => e.endsWith('MergeTree') && !e.startsWith('Replicated'))).toEqual([]);
    for (const table of SHARDED_BY_VIDEO) {
      const distributed = statements.find((s) => s.includes(`.${table} ON CLUSTER`));
      expect({ table, distributed }).toEqual({
        table,
        distributed: expect.stringContaining(`Distributed('{cluster}', {db:String}, '${table}_local', cityHash64(video_id))`),
      });
    }
  });

  it('creates, declustered, the same tables, columns, keys and views as the single-node migrations', async () => {
    await runMigrations(clickhouse, config);
    const params = { ...migrationParams(config), kafka_keeper_path: `/viewrank-check/${single}`, kafka_replica_name: 'check' };
    const keeper = { allow_experimental_kafka_offsets_storage_in_keeper: 1 };
    await clickhouse.command(queueSql(queueFile('views_queue_exactly_once'), config.kafka.format), params, keeper);
    await clickhouse.command(queueFile('views_queue_mv'), params);

    const clusterParams = { ...migrationParams(clusterConfig), kafka_keeper_path: `/viewrank-check/${clustered}` };
    // The runner creates the database before the lock (migrations.ts); the files start inside it.
    await clickhouse.command('CREATE DATABASE {db:Identifier}', { db: clustered });
    for (const statement of clusterStatements()) {
      if (isPerVideoBackfill(statement)) continue; // parsed in the first test
      await clickhouse.command(declustered(statement), clusterParams, keeper);
    }

    await expectSameSchema(single, clustered);
  });

  it('derives a later migration statement by statement: after it, a node and the cluster still agree', async () => {
    const fixture = {
      version: 18,
      name: 'cluster_derivation_example',
      text: readFileSync(join(__dirname, 'fixtures', '0018_cluster_derivation_example.sql'), 'utf8'),
    };
    const files = [...migrationFiles(), fixture];
    const node = `${single}_later`;
    const cluster = `${node}_cluster`;
    const nodeConfig = { ...config, clickhouse: { ...config.clickhouse, database: node } };
    await runMigrations(clickhouse, nodeConfig, files);
    const derived = await deriveClusterMigrations(clickhouse, nodeConfig, files);
    expect(derived.map((m) => m.version)).toEqual([
      1,
      ...migrationFiles()
        .filter((f) => f.version > CLUSTER_BASE)
        .map((f) => f.version),
      18,
    ]);
    // The cluster's 0001 is the one checked in (test/schema.int-spec.ts keeps it current); 0018 is the fixture's.
    expect(derived[0].statements).toEqual(splitStatements(migrationFiles(join(clusterDir(), 'migrations'))[0].text).map(withoutComments));

    const params = { ...migrationParams(nodeConfig), db: cluster };
    await clickhouse.command('CREATE DATABASE {db:Identifier}', { db: cluster });
    for (const statement of derived.flatMap((m) => m.statements)) {
      if (isPerVideoBackfill(statement)) {
        await expect(clickhouse.select('SELECT formatQuery({q:String})', { q: statement })).resolves.toHaveLength(1);
        continue;
      }
      await clickhouse.command(declustered(statement), params);
    }
    await expectSameSchema(node, cluster);
    const views = (db: string) =>
      clickhouse.select<{ name: string }>("SELECT name FROM system.columns WHERE database = {db:String} AND table = 'views_recent_local'", {
        db,
      });
    expect((await views(cluster)).map((c) => c.name)).toContain('minutes');
    for (const db of [cluster, node]) await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC', { db });
  });

  it("finds every table the service's named queries read or write (clickhouse/queries/) under the same name on the cluster", async () => {
    const tables = new Set(
      (await clickhouse.select<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String}', { db: clustered })).map(
        (t) => t.name,
      ),
    );
    const dir = join(clickhouseDir(), 'queries');
    const used = readdirSync(dir).flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/\{db:Identifier\}\.(\w+)/g)].map((m) => ({ file, table: m[1] })),
    );
    expect(used.length).toBeGreaterThan(30);
    // The schema lock is the lock's own table, made and dropped by schema_lock_take(_cluster).sql.
    const missing = used.filter(({ table }) => table !== 'schema_lock' && table !== 'schema_migrations' && !tables.has(table));
    expect(missing).toEqual([]);
    // The cluster's own query over every node parses; it reaches for the two hosts of the test's cluster, nothing listens.
    const consumers = readFileSync(join(dir, 'kafka_consumers_cluster.sql'), 'utf8');
    await expect(clickhouse.select('SELECT formatQuery({q:String})', { q: consumers })).resolves.toHaveLength(1);
    await expect(clickhouse.select(consumers, { keeper_errors: 1, cluster: CLUSTER })).rejects.toThrow(
      /Connection refused|NETWORK_ERROR|ALL_CONNECTION_TRIES_FAILED/,
    );
  });
});
