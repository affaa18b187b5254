import { checkLayout, CLUSTER_LAYOUT, clusterMigration, clusterQueue, clusterSchema, createdName, SINGLE_NODE_ONLY } from './cluster-ddl';

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
    expect(() => checkLayout(['views_by_minute'])).toThrow(
      /CLUSTER_LAYOUT places views_by_hour, which the single-node schema does not have/,
    );
    expect(() => checkLayout(Object.keys(CLUSTER_LAYOUT))).not.toThrow();
  });
});

describe(clusterMigration.name, () => {
  const on = "ON CLUSTER '{cluster}'";

  it('runs a column change on the shard’s table first, then on the Distributed table; a table everywhere once', () => {
    expect(
      clusterMigration([
        {
          written: "ALTER TABLE {db:Identifier}.views_total ADD COLUMN `first` DateTime('UTC') DEFAULT now(), COMMENT COLUMN views 'a, b'",
        },
        { written: '-- a comment line\nALTER TABLE {db:Identifier}.topk_final DROP COLUMN videos' },
      ]),
    ).toEqual([
      `ALTER TABLE {db:Identifier}.views_total_local ${on} ADD COLUMN \`first\` DateTime('UTC') DEFAULT now(), COMMENT COLUMN views 'a, b'`,
      `ALTER TABLE {db:Identifier}.views_total ${on} ADD COLUMN \`first\` DateTime('UTC') DEFAULT now(), COMMENT COLUMN views 'a, b'`,
      `ALTER TABLE {db:Identifier}.topk_final ${on} DROP COLUMN videos`,
    ]);
  });

  it('leaves out a statement marked single node only, and only that one', () => {
    expect(
      clusterMigration([
        { written: `${SINGLE_NODE_ONLY}\nDROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv` },
        { written: 'DROP VIEW IF EXISTS {db:Identifier}.views_by_day_mv' },
        { written: `-- why\n${SINGLE_NODE_ONLY}\nALTER TABLE {db:Identifier}.views_recent REMOVE TTL` },
        {
          written:
            '-- single node only, once said the comment of a statement for both\nALTER TABLE {db:Identifier}.topk_final DROP COLUMN videos',
        },
      ]),
    ).toEqual([
      `DROP VIEW IF EXISTS {db:Identifier}.views_by_day_mv ${on} SYNC`,
      `ALTER TABLE {db:Identifier}.topk_final ${on} DROP COLUMN videos`,
    ]);
  });

  it('changes what only the data has (TTL, settings) on the shard’s table alone, the replicated setting by its name', () => {
    expect(
      clusterMigration([
        { written: 'ALTER TABLE {db:Identifier}.views_by_minute MODIFY TTL minute + toIntervalHour({minute_retention_hours:UInt32} + 1)' },
        { written: 'ALTER TABLE {db:Identifier}.views_by_hour MODIFY SETTING non_replicated_deduplication_window = 100' },
      ]),
    ).toEqual([
      `ALTER TABLE {db:Identifier}.views_by_minute_local ${on} MODIFY TTL minute + toIntervalHour({minute_retention_hours:UInt32} + 1)`,
      `ALTER TABLE {db:Identifier}.views_by_hour_local ${on} MODIFY SETTING replicated_deduplication_window = 100`,
    ]);
    expect(() =>
      clusterMigration([{ written: 'ALTER TABLE {db:Identifier}.views_total ADD COLUMN x UInt8, MODIFY TTL now() + toIntervalDay(1)' }]),
    ).toThrow(/mixes column and other commands/);
  });

  it('creates as clusterSchema does, drops both tables of a per-shard one, and runs a backfill once through the Distributed names', () => {
    const backfill =
      'INSERT INTO {db:Identifier}.views_by_hour SELECT toStartOfHour(minute), video_id, sum(views) FROM {db:Identifier}.views_by_minute GROUP BY 1, 2';
    const derived = clusterMigration([
      { written: 'DROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv' },
      { written: 'DROP TABLE {db:Identifier}.views_by_hour SYNC' },
      { created: hours },
      { created: settings },
      { created: hoursView },
      { written: `${backfill};` },
    ]);
    expect(derived.slice(0, 3)).toEqual([
      `DROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv ${on} SYNC`,
      `DROP TABLE IF EXISTS {db:Identifier}.views_by_hour ${on} SYNC`,
      `DROP TABLE IF EXISTS {db:Identifier}.views_by_hour_local ${on} SYNC`,
    ]);
    const schema = clusterSchema([hours, settings, hoursView]);
    expect(derived.slice(3, -1)).toEqual(schema);
    expect(derived.at(-1)).toBe(backfill);
  });

  it('stops at a statement it has no rule for, and at a table the layout does not place', () => {
    expect(() => clusterMigration([{ written: 'RENAME TABLE {db:Identifier}.a TO {db:Identifier}.b' }])).toThrow(
      /no cluster derivation for this statement: .*RENAME TABLE/,
    );
    expect(() => clusterMigration([{ written: 'ALTER TABLE {db:Identifier}.views_by_week ADD COLUMN x UInt8' }])).toThrow(
      /views_by_week has no place on a cluster/,
    );
  });

  it('names what a CREATE makes, whatever precedes it', () => {
    expect(createdName('-- why\nCREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_week\n(x UInt8)')).toBe('views_by_week');
    expect(createdName('CREATE MATERIALIZED VIEW {db:Identifier}.v TO {db:Identifier}.t AS SELECT 1')).toBe('v');
    expect(createdName('ALTER TABLE {db:Identifier}.t ADD COLUMN x UInt8')).toBeUndefined();
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
