import { CLUSTER_LAYOUT, clusterQueue, clusterSchema } from './cluster-ddl';

// Statements as test/schema.int-spec.ts passes them: SHOW CREATE, the database written {db:Identifier}.
const minutes = (extra = '') => `CREATE TABLE {db:Identifier}.views_by_minute
(
    \`minute\` DateTime('UTC'),
    \`video_id\` String,
    \`views\` UInt64${extra}
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + toIntervalHour({minute_retention_hours:UInt32})
SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 8192`;
const hours = `CREATE TABLE {db:Identifier}.views_by_hour
(
    \`hour\` DateTime('UTC'),
    \`video_id\` String,
    \`views\` UInt64
)
ENGINE = SummingMergeTree(views)
ORDER BY (hour, video_id)`;
const settings = `CREATE TABLE {db:Identifier}.last_hour_settings
(
    \`late_tolerance_ms\` UInt32
)
ENGINE = ReplacingMergeTree
ORDER BY tuple()`;
const parsed = `CREATE TABLE {db:Identifier}.views_parsed
(
    \`video_id\` String
)
ENGINE = Null`;
const minutesView = `CREATE MATERIALIZED VIEW {db:Identifier}.views_by_minute_mv TO {db:Identifier}.views_by_minute
(
    \`minute\` DateTime('UTC')
)
AS SELECT toStartOfMinute(now()) AS minute, video_id, count() AS views
FROM {db:Identifier}.views_parsed`;
const hoursView = `CREATE MATERIALIZED VIEW {db:Identifier}.views_by_hour_mv TO {db:Identifier}.views_by_hour
(
    \`hour\` DateTime('UTC')
)
AS SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute`;

/** The layout's other tables, present so that the derivation accepts the sample schema. */
const others = Object.keys(CLUSTER_LAYOUT)
  .filter((name) => !['views_by_minute', 'views_by_hour', 'last_hour_settings', 'views_parsed'].includes(name))
  .map((name) => `CREATE TABLE {db:Identifier}.${name}\n(\n    \`x\` UInt8\n)\nENGINE = MergeTree\nORDER BY x`);

describe(clusterSchema.name, () => {
  const derived = (first = minutes()) => clusterSchema([first, hours, settings, parsed, ...others, minutesView, hoursView]);

  it('makes a per-video table a Replicated _local table on each shard and a Distributed table under its name', () => {
    const [local, distributed] = derived();
    expect(local).toBe(`CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_minute_local ON CLUSTER '{cluster}'
(
    \`minute\` DateTime('UTC'),
    \`video_id\` String,
    \`views\` UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + toIntervalHour({minute_retention_hours:UInt32})
SETTINGS replicated_deduplication_window = 1000, index_granularity = 8192`);
    expect(distributed).toBe(`CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_minute ON CLUSTER '{cluster}'
(
    \`minute\` DateTime('UTC'),
    \`video_id\` String,
    \`views\` UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_by_minute_local', cityHash64(video_id))`);
  });

  it('keeps an engine’s own arguments after the Keeper path, and seeds a table once per cluster', () => {
    const statements = derived();
    expect(statements.find((s) => s.includes('views_by_hour_local ON CLUSTER'))).toContain(
      "ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', views)",
    );
    const settingsAt = statements.findIndex((s) => s.includes('.last_hour_settings ON CLUSTER'));
    expect(statements[settingsAt]).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')",
    );
    expect(statements[settingsAt + 1]).toMatch(/^INSERT INTO \{db:Identifier\}\.last_hour_settings\nSETTINGS insert_deduplication_token/);
    expect(statements.find((s) => s.includes('.views_parsed ON CLUSTER'))).toMatch(/ENGINE = Null$/);
  });

  it('writes a view from the node’s parsed stream through the Distributed table, and a later view shard to shard', () => {
    const statements = derived();
    expect(statements.at(-2))
      .toBe(`CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_minute_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_minute
(
    \`minute\` DateTime('UTC')
)
AS SELECT toStartOfMinute(now()) AS minute, video_id, count() AS views
FROM {db:Identifier}.views_parsed`);
    expect(statements.at(-1)).toContain("views_by_hour_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_hour_local\n");
    expect(statements.at(-1)).toMatch(/FROM \{db:Identifier\}\.views_by_minute_local$/);
  });

  it('changes the cluster’s table with the one definition: a column added on one node is on every shard and in the Distributed table', () => {
    const withColumn = derived(minutes(',\n    `country` LowCardinality(String)'));
    expect(withColumn[0]).toContain('`country` LowCardinality(String)');
    expect(withColumn[1]).toContain('`country` LowCardinality(String)');
  });

  it('refuses a table the layout does not place, and a layout table the schema lacks', () => {
    const week = minutes().replaceAll('views_by_minute', 'views_by_week');
    expect(() => clusterSchema([minutes(), hours, settings, parsed, ...others, week])).toThrow(/views_by_week has no place on a cluster/);
    expect(() => clusterSchema([minutes()])).toThrow(/CLUSTER_LAYOUT places views_by_hour, which the single-node schema does not have/);
  });
});

describe(clusterQueue.name, () => {
  const table = `-- a comment
CREATE TABLE {db:Identifier}.views_queue
(
    video_id VIEW_FIELD_TYPE
)
ENGINE = Kafka
SETTINGS
    kafka_keeper_path = {kafka_keeper_path:String},
    kafka_replica_name = {kafka_replica_name:String},
    kafka_format = {kafka_format:String}
COMMENT 'viewrank views_queue 2: typed fields'
`;
  const view = `-- parses
CREATE MATERIALIZED VIEW {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
SELECT video_id FROM {db:Identifier}.views_queue AS q;
`;

  it('is the exactly-once queue ON CLUSTER, each node a replica named by its macros', () => {
    const [queue, mv] = clusterQueue(table, view);
    expect(queue).toBe(`CREATE TABLE IF NOT EXISTS {db:Identifier}.views_queue ON CLUSTER '{cluster}'
(
    video_id VIEW_FIELD_TYPE
)
ENGINE = Kafka
SETTINGS
    kafka_keeper_path = {kafka_keeper_path:String},
    kafka_replica_name = '{shard}-{replica}',
    kafka_format = {kafka_format:String}
COMMENT 'viewrank views_queue 2: typed fields'`);
    expect(mv)
      .toBe(`CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_parsed AS
SELECT video_id FROM {db:Identifier}.views_queue AS q`);
  });

  it('fails rather than derive a queue whose replica name it cannot place', () => {
    expect(() => clusterQueue(table.replace('{kafka_replica_name:String}', "'fixed'"), view)).toThrow(
      /expected one kafka_replica_name, found 0/,
    );
  });
});
