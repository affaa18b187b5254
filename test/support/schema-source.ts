// The single-node migrations (clickhouse/migrations/, the one definition of every table and view) read back as the
// engine shows them, and the cluster's migrations derived from them (src/clickhouse/cluster-ddl.ts): the generator
// behind clickhouse/cluster/migrations/ (test/schema.int-spec.ts) and the spec that creates them next to a node
// (test/cluster-schema.int-spec.ts).
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import {
  checkLayout,
  CLUSTER_BASE,
  clusterMigration,
  singleNodeOnly,
  clusterSchema,
  createdName,
  MigrationStatement,
} from '../../src/clickhouse/cluster-ddl';
import { migrationParams } from '../../src/clickhouse/migrations';
import { MigrationFile } from '../../src/clickhouse/sql-files';
import { splitStatements } from '../../src/clickhouse/sql-statements';
import { AppConfig } from '../../src/config/app-config';

/** The numeric parameters of the migrations that stay in the schema (TTLs, the late tolerance), each a sentinel. */
const SENTINELS: Record<string, number> = {
  minute_retention_hours: 7001,
  hour_retention_days: 7002,
  month_retention_months: 7003,
  dead_letter_retention_days: 7004,
  snapshot_retention_hours: 7005,
  final_list_retention_days: 7006,
  max_event_age_days: 7007,
  late_tolerance_ms: 7008,
};

/** A cluster migration: its version and name (those of the single-node migration it comes from, but 0001) and text. */
export interface ClusterMigration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * SHOW CREATE of `name` in `db`, the database written {db:Identifier} and each sentinel back to the parameter it was
 * ({minute_retention_hours:UInt32}), so that the cluster's files keep parameters, not one machine's values.
 */
async function shownCreate(clickhouse: ClickHouseService, db: string, name: string): Promise<string> {
  const [row] = await clickhouse.select<{ statement: string }>('SHOW CREATE TABLE {db:Identifier}.{name:Identifier}', { db, name });
  let statement = row.statement.split(`${db}.`).join('{db:Identifier}.');
  for (const [param, value] of Object.entries(SENTINELS)) {
    statement = statement.replace(new RegExp(`_CAST\\(${value}, '(\\w+)'\\)`, 'g'), (_all, type: string) => `{${param}:${type}}`);
  }
  // A sentinel left over is a parameter the engine recorded in another form: it would reach the cluster as a value.
  const left = Object.values(SENTINELS).filter((v) => statement.includes(String(v)));
  if (left.length > 0) throw new Error(`${name}: sentinels ${left.join(', ')} left in SHOW CREATE, a parameter would become a value`);
  return statement;
}

/**
 * The cluster's migrations from the single-node `files`, on a scratch database of `clickhouse`'s engine migrated with
 * a sentinel for every numeric parameter: 0001, the schema as the files up to CLUSTER_BASE leave it (clusterSchema),
 * then each later file statement by statement (clusterMigration), a CREATE as the engine shows what it made.
 */
export async function deriveClusterMigrations(
  clickhouse: ClickHouseService,
  config: AppConfig,
  files: readonly MigrationFile[],
): Promise<ClusterMigration[]> {
  const db = `${config.clickhouse.database}_sentinel`;
  const params = { ...migrationParams(config), db, ...SENTINELS };
  const tableNames = async () =>
    (await clickhouse.select<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db })).map(
      (t) => t.name,
    );
  await clickhouse.command('CREATE DATABASE {db:Identifier}', { db });
  try {
    for (const file of files.filter((f) => f.version <= CLUSTER_BASE))
      for (const statement of splitStatements(file.text)) await clickhouse.command(statement, params);
    const baseTables = await tableNames();
    const base: string[] = [];
    for (const name of baseTables) base.push(await shownCreate(clickhouse, db, name));
    const migrations: ClusterMigration[] = [{ version: 1, name: 'cluster_schema', statements: clusterSchema(base) }];
    for (const file of files.filter((f) => f.version > CLUSTER_BASE)) {
      const statements: MigrationStatement[] = [];
      for (const statement of splitStatements(file.text)) {
        await clickhouse.command(statement, params);
        // A statement kept off clusters stays as written, for clusterMigration to see its mark.
        const created = singleNodeOnly(statement) ? undefined : createdName(statement);
        statements.push(created ? { created: await shownCreate(clickhouse, db, created) } : { written: statement });
      }
      migrations.push({ version: file.version, name: file.name, statements: clusterMigration(statements) });
    }
    // A table the base has and a later migration dropped keeps its place: the cluster's 0001 creates it.
    checkLayout([...new Set([...baseTables, ...(await tableNames())])]);
    return migrations;
  } finally {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC', { db });
  }
}
