// The cluster's DDL (CLICKHOUSE_CLUSTER), derived from the single-node definition rather than written a second time:
// clickhouse/cluster/migrations/0001_cluster_schema.sql from the tables and views the single-node migrations up to
// CLUSTER_BASE leave (their SHOW CREATE, test/schema.int-spec.ts), each later single-node migration's cluster migration
// statement by statement (clusterMigration), and clickhouse/cluster/queue.sql from clickhouse/queue/. What is the
// cluster's own is here, and only here: where each table lives (CLUSTER_LAYOUT) and the one row seeded once per
// cluster (CLUSTER_SEEDS). Pure text in, text out; the engine parses and creates the result in
// test/cluster-schema.int-spec.ts and compares it with a single node's.

/**
 * Where a table of the single-node schema lives on a cluster (docs/cluster.md says why):
 * - `shardBy`: per shard. `<name>_local` is a Replicated table on each shard (a Keeper path with {shard} in it), and
 *   `<name>` a Distributed table over it, sharded by that expression, under the single-node name that the service's
 *   queries (clickhouse/queries/) use.
 * - `everywhere`: one copy of a small table not keyed by video, Replicated on a Keeper path without {shard}, so every
 *   node of every shard holds all of it.
 * - `node`: each node's own (the parsed stream, a Null table each node's Kafka queue writes into).
 */
export type Placement = { shardBy: string } | 'everywhere' | 'node';

const BY_VIDEO = { shardBy: 'cityHash64(video_id)' };

/** Every table of the single-node schema; a table missing here stops the derivation, one too many fails checkLayout. */
export const CLUSTER_LAYOUT: Record<string, Placement> = {
  views_by_minute: BY_VIDEO,
  views_by_hour: BY_VIDEO,
  views_by_day: BY_VIDEO,
  views_by_month: BY_VIDEO,
  views_total: BY_VIDEO,
  views_recent: BY_VIDEO,
  // Made by 0001 (the schema as of CLUSTER_BASE), dropped by 0016: its on-time counts are views_by_minute's now.
  last_hour_arrivals: BY_VIDEO,
  last_hour_minutes: BY_VIDEO,
  views_last_hour: BY_VIDEO,
  // By message: a replayed block goes to the same shard, where it is dropped as a duplicate.
  views_dead_letter: { shardBy: 'cityHash64(partition, offset)' },
  // Written on each shard by its own views; the keys only shard what would be inserted through the Distributed table.
  ingest_counts: { shardBy: 'cityHash64(ingested_minute)' },
  ingested_offsets: { shardBy: 'cityHash64(partition)' },
  // Made by 0017 on every node, used by a single node's rollup only (SINGLE_NODE_ONLY).
  views_rollup: 'everywhere',
  last_hour_ledger: 'everywhere',
  last_hour_settings: 'everywhere',
  topk_snapshots: 'everywhere',
  topk_final: 'everywhere',
  views_parsed: 'node',
};

/**
 * Rows a single-node migration inserts with its table, as a cluster inserts them: once per cluster, the token making a
 * second run (two instances, or a retry) a duplicate that every replica drops.
 */
export const CLUSTER_SEEDS: Record<string, string> = {
  last_hour_settings: `INSERT INTO {db:Identifier}.last_hour_settings
SETTINGS insert_deduplication_token = 'last_hour_settings'
SELECT {late_tolerance_ms:UInt32} WHERE (SELECT count() FROM {db:Identifier}.last_hour_settings) = 0`,
};

/**
 * The single-node migration the cluster's 0001 stands for: a cluster starts with the schema as of 0015, and each later
 * single-node migration NNNN becomes the cluster migration NNNN of the same name (clusterMigration), so a cluster that
 * has run keeps its applied files and their checksums.
 */
export const CLUSTER_BASE = 15;

const DB = '{db:Identifier}.';
const ON_CLUSTER = " ON CLUSTER '{cluster}'";

/**
 * The line that keeps a single-node migration's statement off a cluster (the line alone, right before it). Only for
 * what a cluster must not do; what it keeps instead is in CLUSTER_KEEPS.
 */
export const SINGLE_NODE_ONLY = '-- single node only';

/** Whether a migration statement (as written, comments and all) is marked SINGLE_NODE_ONLY. */
export function singleNodeOnly(statement: string): boolean {
  return statement.split('\n').some((line) => line.trim() === SINGLE_NODE_ONLY);
}

/**
 * What a cluster keeps that the single-node migrations changed, through statements marked SINGLE_NODE_ONLY (0017): its
 * grains are written per block, views_by_hour by its view from the minutes, and views_recent keeps its TTL. A single
 * node rolls views_recent up into views_by_hour by block number (src/rollup/), which a Replicated table cannot give: it
 * numbers a block before the part is visible, so a block seen does not mean every block before it is (docs/cluster.md).
 */
export const CLUSTER_KEEPS = { views: ['views_by_hour_mv'], ttls: ['views_recent'] } as const;

/** A statement of the single-node schema: SHOW CREATE's text, the database written {db:Identifier}. */
interface Create {
  kind: 'table' | 'view';
  name: string;
  text: string;
}

function parseCreate(statement: string): Create {
  const match = /^CREATE (TABLE|MATERIALIZED VIEW) \{db:Identifier\}\.(\w+)\b/.exec(statement);
  if (!match) throw new Error(`not a CREATE TABLE or MATERIALIZED VIEW of {db:Identifier}: ${statement.split('\n')[0]}`);
  return { kind: match[1] === 'TABLE' ? 'table' : 'view', name: match[2], text: statement.trim().replace(/;$/, '') };
}

/** Replaces the one match of `pattern` in `text`, or fails naming what was expected. */
function replaceOnce(text: string, pattern: RegExp, replacement: string | ((...groups: string[]) => string), what: string): string {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
  if (matches?.length !== 1) throw new Error(`expected one ${what}, found ${matches?.length ?? 0} in: ${text.split('\n')[0]}`);
  return text.replace(pattern, replacement as string);
}

function placementOf(name: string): Placement {
  const placement = CLUSTER_LAYOUT[name];
  if (placement === undefined)
    throw new Error(`table ${name} has no place on a cluster: add it to CLUSTER_LAYOUT (src/clickhouse/cluster-ddl.ts)`);
  return placement;
}

/**
 * A MergeTree-family engine made Replicated at `path`, its own arguments kept after the Keeper path and replica; the
 * single-node deduplication window becomes the Replicated one.
 */
function replicated(text: string, path: string): string {
  const engine = replaceOnce(
    text,
    /^ENGINE = (\w*MergeTree)(?:\((.*)\))?$/m,
    (_all, engine: string, args?: string) => `ENGINE = Replicated${engine}('${path}', '{replica}'${args ? `, ${args}` : ''})`,
    'MergeTree engine',
  );
  return engine.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}

/** CREATE TABLE {db}.name → CREATE TABLE IF NOT EXISTS {db}.newName ON CLUSTER '{cluster}'. */
function header(text: string, kind: 'TABLE' | 'MATERIALIZED VIEW', name: string, newName = name): string {
  return replaceOnce(
    text,
    new RegExp(`^CREATE ${kind} \\{db:Identifier\\}\\.${name}\\b`),
    `CREATE ${kind} IF NOT EXISTS ${DB}${newName}${ON_CLUSTER}`,
    'header',
  );
}

/** The column list of a CREATE TABLE, with its parentheses. */
function columnsOf(text: string): string {
  const match = /^\($[\s\S]*?^\)$/m.exec(text);
  if (!match) throw new Error(`no column list in: ${text.split('\n')[0]}`);
  return match[0];
}

function clusterTable({ name, text }: Create): string[] {
  const placement = placementOf(name);
  if (placement === 'node') return [header(text, 'TABLE', name)];
  if (placement === 'everywhere') return [replicated(header(text, 'TABLE', name), '/clickhouse/tables/all/{database}/{table}')];
  const local = replicated(header(text, 'TABLE', name, `${name}_local`), '/clickhouse/tables/{shard}/{database}/{table}');
  const distributed = [
    `CREATE TABLE IF NOT EXISTS ${DB}${name}${ON_CLUSTER}`,
    columnsOf(text),
    `ENGINE = Distributed('{cluster}', {db:String}, '${name}_local', ${placement.shardBy})`,
  ].join('\n');
  return [local, distributed];
}

/**
 * A view from a node's own table (the parsed stream) writes through the Distributed table, so each row goes to its
 * shard whichever node read it; a view from sharded tables reads and writes the _local tables of its own shard.
 */
function clusterView({ name, text }: Create): string {
  const to = /^CREATE MATERIALIZED VIEW \{db:Identifier\}\.\w+ TO \{db:Identifier\}\.(\w+)$/m.exec(text)?.[1];
  if (!to) throw new Error(`view ${name} writes into no table of the database`);
  const body = text.slice(text.indexOf('\nAS '));
  const sources = [...body.matchAll(/\{db:Identifier\}\.(\w+)/g)].map((m) => m[1]);
  const placements = [to, ...sources].map(placementOf);
  if (sources.some((s) => placementOf(s) === 'node')) return header(text, 'MATERIALIZED VIEW', name);
  if (placements.some((p) => typeof p !== 'object'))
    throw new Error(`view ${name} joins tables of different placements (${[to, ...sources].join(', ')}): give it a rule here`);
  return header(text, 'MATERIALIZED VIEW', name).replace(/\{db:Identifier\}\.(\w+)/g, (all, table: string) =>
    table === name ? all : `${DB}${table}_local`,
  );
}

/**
 * The cluster's schema from the single-node one (SHOW CREATE of every table and view, the database written
 * {db:Identifier}, parameters written {name:Type}): every table, then its seed, then every view (a view needs the
 * tables it reads and writes).
 */
export function clusterSchema(singleNode: readonly string[]): string[] {
  const creates = singleNode.map(parseCreate);
  return [...creates.filter((c) => c.kind === 'table').flatMap(seededTable), ...creates.filter((c) => c.kind === 'view').map(clusterView)];
}

/**
 * Fails when CLUSTER_LAYOUT places a table that no single-node schema the cluster's migrations create has: neither the
 * one as of CLUSTER_BASE (0001) nor the one as the newest migration leaves it.
 */
export function checkLayout(singleNodeTables: readonly string[]): void {
  for (const name of Object.keys(CLUSTER_LAYOUT)) {
    if (!singleNodeTables.includes(name)) throw new Error(`CLUSTER_LAYOUT places ${name}, which the single-node schema does not have`);
  }
}

/** A table's cluster statements, then its seed row if it has one. */
function seededTable(create: Create): string[] {
  return [...clusterTable(create), ...(CLUSTER_SEEDS[create.name] ? [CLUSTER_SEEDS[create.name]] : [])];
}

/**
 * The Kafka engine table and its view on every node (clickhouse/cluster/queue.sql) from the exactly-once queue of one
 * node (clickhouse/queue/): ON CLUSTER, and each node a replica of the one Keeper path named by its shard and replica
 * macros ('{shard}-{replica}', unique across the cluster). A cluster ingests exactly once only.
 */
export function clusterQueue(exactlyOnceTable: string, view: string): string[] {
  const table = replaceOnce(
    header(withoutComments(exactlyOnceTable), 'TABLE', 'views_queue'),
    /kafka_replica_name = \{kafka_replica_name:String\}/,
    "kafka_replica_name = '{shard}-{replica}'",
    'kafka_replica_name',
  );
  return [table, header(withoutComments(view), 'MATERIALIZED VIEW', 'views_queue_mv')];
}

/** A file's statement without its leading comment lines or trailing semicolon (comments inside it stay). */
export function withoutComments(sql: string): string {
  return sql
    .replace(/^(?:--[^\n]*\n|\s*\n)*/, '')
    .trim()
    .replace(/;$/, '');
}

/**
 * One statement of a single-node migration after CLUSTER_BASE, as the cluster's derivation sees it: a CREATE as the
 * engine shows what it made (SHOW CREATE, parameters kept parameters, like clusterSchema's input), anything else as
 * written in the migration.
 */
export type MigrationStatement = { created: string } | { written: string };

/** The table or view a single-node migration's statement creates, if it is a CREATE. */
export function createdName(statement: string): string | undefined {
  return /^CREATE (?:TABLE|MATERIALIZED VIEW) (?:IF NOT EXISTS )?\{db:Identifier\}\.(\w+)\b/i.exec(withoutComments(statement))?.[1];
}

/** ALTER commands that change columns, which a Distributed table carries too; every other command is the data's. */
const COLUMN_COMMAND = /^(?:ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR) COLUMN\b/i;

/** A single-node ALTER TABLE as the cluster runs it: on the shard's tables, and on the Distributed one for columns. */
function clusterAlter(table: string, commands: string): string[] {
  const placement = placementOf(table);
  const split = splitCommands(commands);
  const columns = split.filter((c) => COLUMN_COMMAND.test(c));
  if (columns.length > 0 && columns.length < split.length)
    throw new Error(`ALTER TABLE ${table} mixes column and other commands: write them as two statements`);
  const alter = (name: string) =>
    `ALTER TABLE ${DB}${name}${ON_CLUSTER} ${commands.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window')}`;
  if (typeof placement !== 'object') return [alter(table)];
  // The shard's table first: a Distributed table with a column its shards lack fails every read.
  return columns.length > 0 ? [alter(`${table}_local`), alter(table)] : [alter(`${table}_local`)];
}

/** An ALTER's commands split at top-level commas (not inside parentheses or strings). */
function splitCommands(commands: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '`' || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(commands.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(commands.slice(start).trim());
  return parts;
}

/** A single-node DROP as the cluster runs it: a per-shard table is two, its Distributed table and the shard's own. */
function clusterDrop(kind: string, name: string): string[] {
  const drop = (n: string) => `DROP ${kind} IF EXISTS ${DB}${n}${ON_CLUSTER} SYNC`;
  if (kind === 'VIEW') return [drop(name)];
  return typeof placementOf(name) === 'object' ? [drop(name), drop(`${name}_local`)] : [drop(name)];
}

/**
 * A single-node migration after CLUSTER_BASE as the cluster runs it, in its order, statement by statement:
 * - CREATE TABLE / MATERIALIZED VIEW: as in clusterSchema (the table's placement from CLUSTER_LAYOUT, its seed);
 * - ALTER TABLE: ON CLUSTER on the shard's `_local` table, and for column commands on the Distributed table too;
 * - DROP TABLE / VIEW: ON CLUSTER, a per-shard table's Distributed and `_local` tables both;
 * - INSERT: as written, run once by the migrating instance through the single-node names, which on a cluster are the
 *   Distributed tables (a backfill reads every shard and writes each row to its video's shard);
 * - a statement marked SINGLE_NODE_ONLY: left out.
 * Anything else has no derivation yet and stops it, naming the statement, rather than reach a cluster unchecked.
 */
export function clusterMigration(statements: readonly MigrationStatement[]): string[] {
  return statements.flatMap((statement) => {
    if ('written' in statement && singleNodeOnly(statement.written)) return [];
    if ('created' in statement) {
      const create = parseCreate(statement.created);
      return create.kind === 'table' ? seededTable(create) : [clusterView(create)];
    }
    const text = withoutComments(statement.written);
    const alter = /^ALTER TABLE \{db:Identifier\}\.(\w+)\s+([\s\S]+)$/i.exec(text);
    if (alter) return clusterAlter(alter[1], alter[2]);
    const drop = /^DROP (TABLE|VIEW) (?:IF EXISTS )?\{db:Identifier\}\.(\w+)(?: SYNC)?$/i.exec(text);
    if (drop) return clusterDrop(drop[1].toUpperCase(), drop[2]);
    if (/^INSERT INTO \{db:Identifier\}\.\w+\b/i.test(text)) return [text];
    throw new Error(`no cluster derivation for this statement: give it a rule in src/clickhouse/cluster-ddl.ts: ${text.split('\n')[0]}`);
  });
}
