-- The whole schema on a ClickHouse cluster (CLICKHOUSE_CLUSTER): the tables and views of clickhouse/migrations/ as
-- they stand after 0015, spread over shards. Applied once per cluster by one instance under the cluster's schema lock
-- (src/clickhouse/migrations.ts); every statement is ON CLUSTER, so ClickHouse's distributed DDL queue in Keeper runs
-- it on every node. A cluster starts at this file: later changes are new files in this folder, as on one node.
-- '{cluster}', '{shard}' and '{replica}' are the servers' macros (docker/cluster/clickhouse.xml), which ClickHouse
-- expands in ON CLUSTER, in the Replicated engines' paths and in Distributed; {database} and {table} it fills itself.
-- The service checks at start that the macro cluster is CLICKHOUSE_CLUSTER.
--
-- Layout (docs/cluster.md says why):
--  * Per video, sharded by cityHash64(video_id): <name>_local is a Replicated table on each shard (its replicas share
--    a Keeper path with {shard} in it), and <name> is a Distributed table over it (the same columns, spelled out: 26.7 parses no `AS {db:Identifier}.t` before ENGINE), under the single-node name, so the
--    service's queries (clickhouse/queries/) read and write the same names on one node and on a cluster.
--  * Per node: the Kafka engine table (clickhouse/cluster/queue.sql) and views_parsed (Null). Each node consumes its
--    share of the partitions and writes minutes through the Distributed views_by_minute, so a video's rows land on its
--    shard whichever node read them. Every later step of the chain reads views_by_minute_local on its own shard.
--  * Everywhere, one copy: the small tables not keyed by video (the sliding hour's ledger and settings, the top-K
--    snapshots and final lists) are Replicated on a Keeper path without {shard}: every node of every shard holds all
--    of it, and any instance reads it from the node it talks to.
-- Replicated tables deduplicate inserted blocks by default (replicated_deduplication_window), by their data or by
-- insert_deduplication_token, which is what exactly-once ingestion and the sliding hour's steps rely on.

-- The database itself is created ON CLUSTER by the migration runner, before it takes the schema lock in it.

-- Per video ---------------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_minute_local ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_minute ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_by_minute_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_hour_local ON CLUSTER '{cluster}'
(
    hour     DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, video_id)
TTL hour + INTERVAL {hour_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_hour ON CLUSTER '{cluster}'
(
    hour     DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_by_hour_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_day_local ON CLUSTER '{cluster}'
(
    day      DateTime('UTC') COMMENT 'start of the UTC day of the event time',
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (day, video_id)
TTL day + INTERVAL {hour_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_day ON CLUSTER '{cluster}'
(
    day      DateTime('UTC') COMMENT 'start of the UTC day of the event time',
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_by_day_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_month_local ON CLUSTER '{cluster}'
(
    month    DateTime('UTC') COMMENT 'start of the UTC month of the event time',
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYear(month)
ORDER BY (month, video_id)
TTL month + INTERVAL {month_retention_months:UInt32} MONTH
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_month ON CLUSTER '{cluster}'
(
    month    DateTime('UTC') COMMENT 'start of the UTC month of the event time',
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_by_month_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_total_local ON CLUSTER '{cluster}'
(
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY video_id
SETTINGS index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_total ON CLUSTER '{cluster}'
(
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_total_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_recent_local ON CLUSTER '{cluster}'
(
    ingested_at DateTime64(3, 'UTC'),
    hour        DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id    String,
    views       UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toStartOfHour(ingested_at)
ORDER BY (ingested_at, video_id)
TTL toDateTime(ingested_at) + INTERVAL 2 HOUR
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_recent ON CLUSTER '{cluster}'
(
    ingested_at DateTime64(3, 'UTC'),
    hour        DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id    String,
    views       UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_recent_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_arrivals_local ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64 COMMENT 'views whose message reached Kafka by the end of the minute plus the late tolerance',
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64))) COMMENT 'Kafka partition -> next offset, at insert'
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', views)
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_arrivals ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64 COMMENT 'views whose message reached Kafka by the end of the minute plus the late tolerance',
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64))) COMMENT 'Kafka partition -> next offset, at insert'
)
ENGINE = Distributed('{cluster}', {db:String}, 'last_hour_arrivals_local', cityHash64(video_id));

-- The frozen minutes and the sliding hour's state, written by the service with insert_deduplication_token (step and
-- minute): a step that two instances both take, or one takes again after a crash, is stored once on every shard.
CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_minutes_local ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_minutes ON CLUSTER '{cluster}'
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64
)
ENGINE = Distributed('{cluster}', {db:String}, 'last_hour_minutes_local', cityHash64(video_id));

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_last_hour_local ON CLUSTER '{cluster}'
(
    video_id String,
    views    Int64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY video_id
SETTINGS replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_last_hour ON CLUSTER '{cluster}'
(
    video_id String,
    views    Int64
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_last_hour_local', cityHash64(video_id));

-- Not per video, sharded by their own keys: dead letters by message (a replayed block goes to the same shard, where
-- it is dropped as a duplicate), ingest counts and offsets by their keys. Written on each shard by its own views.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_dead_letter_local ON CLUSTER '{cluster}'
(
    received_at DateTime64(3, 'UTC') COMMENT 'when ClickHouse read the message',
    topic       LowCardinality(String),
    partition   UInt64,
    offset      UInt64,
    error       String COMMENT 'parser error, or which field failed validation',
    raw_message String COMMENT 'the raw Kafka payload for unparseable messages; the row as JSON for invalid rows'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (received_at, topic, partition, offset)
TTL toDateTime(received_at) + INTERVAL {dead_letter_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_dead_letter ON CLUSTER '{cluster}'
(
    received_at DateTime64(3, 'UTC') COMMENT 'when ClickHouse read the message',
    topic       LowCardinality(String),
    partition   UInt64,
    offset      UInt64,
    error       String COMMENT 'parser error, or which field failed validation',
    raw_message String COMMENT 'the raw Kafka payload for unparseable messages; the row as JSON for invalid rows'
)
ENGINE = Distributed('{cluster}', {db:String}, 'views_dead_letter_local', cityHash64(partition, offset));

CREATE TABLE IF NOT EXISTS {db:Identifier}.ingest_counts_local ON CLUSTER '{cluster}'
(
    ingested_minute DateTime('UTC') COMMENT 'when ClickHouse wrote the rows (not the views'' event time)',
    views           UInt64 COMMENT 'views counted',
    dead_letters    UInt64 COMMENT 'messages or rows set aside in views_dead_letter'
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY ingested_minute;

CREATE TABLE IF NOT EXISTS {db:Identifier}.ingest_counts ON CLUSTER '{cluster}'
(
    ingested_minute DateTime('UTC') COMMENT 'when ClickHouse wrote the rows (not the views'' event time)',
    views           UInt64 COMMENT 'views counted',
    dead_letters    UInt64 COMMENT 'messages or rows set aside in views_dead_letter'
)
ENGINE = Distributed('{cluster}', {db:String}, 'ingest_counts_local', cityHash64(ingested_minute));

CREATE TABLE IF NOT EXISTS {db:Identifier}.ingested_offsets_local ON CLUSTER '{cluster}'
(
    partition   UInt64,
    next_offset SimpleAggregateFunction(max, UInt64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY partition;

CREATE TABLE IF NOT EXISTS {db:Identifier}.ingested_offsets ON CLUSTER '{cluster}'
(
    partition   UInt64,
    next_offset SimpleAggregateFunction(max, UInt64)
)
ENGINE = Distributed('{cluster}', {db:String}, 'ingested_offsets_local', cityHash64(partition));

-- Everywhere, one copy ----------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_ledger ON CLUSTER '{cluster}'
(
    minute     DateTime('UTC'),
    step       Enum8('snapshot' = 1, 'add' = 2, 'subtract' = 3),
    views      UInt64 COMMENT 'views in the frozen snapshot of the minute',
    late_views UInt64 COMMENT 'on subtract: views of the minute that arrived after it closed, left out of last-hour',
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}', applied_at)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, step)
TTL minute + INTERVAL 35 DAY;

CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_settings ON CLUSTER '{cluster}'
(
    late_tolerance_ms UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')
ORDER BY tuple();

-- Once per cluster: the token makes a second run (two instances, or a retry) a duplicate that every replica drops.
INSERT INTO {db:Identifier}.last_hour_settings
SETTINGS insert_deduplication_token = 'last_hour_settings'
SELECT {late_tolerance_ms:UInt32} WHERE (SELECT count() FROM {db:Identifier}.last_hour_settings) = 0;

CREATE TABLE IF NOT EXISTS {db:Identifier}.topk_snapshots ON CLUSTER '{cluster}'
(
    window       LowCardinality(String),
    window_start Nullable(DateTime64(3, 'UTC')),
    window_end   Nullable(DateTime64(3, 'UTC')),
    computed_at  DateTime64(3, 'UTC'),
    rank         UInt16,
    video_id     String,
    views        UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')
PARTITION BY toYYYYMMDD(computed_at)
ORDER BY (window, computed_at, rank)
TTL toDateTime(computed_at) + INTERVAL {snapshot_retention_hours:UInt32} HOUR;

CREATE TABLE IF NOT EXISTS {db:Identifier}.topk_final ON CLUSTER '{cluster}'
(
    window       LowCardinality(String) COMMENT 'hour, day or month',
    window_start DateTime('UTC'),
    window_end   DateTime('UTC') COMMENT 'exclusive',
    computed_at  DateTime64(3, 'UTC') COMMENT 'the service clock when the list was computed',
    videos       Array(String),
    views        Array(UInt64)
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(window_start)
ORDER BY (window, window_start, computed_at)
TTL window_end + INTERVAL {final_list_retention_days:UInt32} DAY;

-- Per node: the parsed stream, and the views from it. -------------------------------------------------------------

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_parsed ON CLUSTER '{cluster}'
(
    video_id    String,
    event_time  Nullable(DateTime64(3, 'UTC')),
    error       String COMMENT 'empty for a valid view',
    raw_message String COMMENT 'filled only when error is not empty',
    topic       LowCardinality(String),
    partition   UInt64,
    offset      UInt64,
    appended_at DateTime64(3, 'UTC')
)
ENGINE = Null;

-- From the node's parsed stream into the Distributed tables: the rows go to their video's (or message's) shard.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_minute_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_minute AS
SELECT toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS minute, video_id, count() AS views
FROM {db:Identifier}.views_parsed
WHERE error = ''
GROUP BY minute, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_dead_letter_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.views_parsed
WHERE error != '';

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.last_hour_arrivals_mv ON CLUSTER '{cluster}' TO {db:Identifier}.last_hour_arrivals AS
WITH error = '' AND appended_at < toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) + INTERVAL 60 SECOND
         + toIntervalMillisecond({late_tolerance_ms:UInt32} + 1) AS on_time
SELECT
    if(on_time, toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')), toDateTime(0, 'UTC')) AS minute,
    if(on_time, video_id, '') AS video_id,
    countIf(on_time) AS views,
    maxMap([partition], [offset + 1]) AS progress
FROM {db:Identifier}.views_parsed
GROUP BY minute, video_id;

-- On each shard, from the minutes that landed there: every later table of a video is on the video's shard.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_hour_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_hour_local AS
SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute_local
GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_day_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_day_local AS
SELECT toStartOfDay(minute) AS day, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute_local
GROUP BY day, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_month_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_by_month_local AS
SELECT toStartOfMonth(minute) AS month, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute_local
GROUP BY month, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_total_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_total_local AS
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute_local
GROUP BY video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_recent_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_recent_local AS
SELECT now64(3, 'UTC') AS ingested_at, toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute_local
GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingest_counts_views_mv ON CLUSTER '{cluster}' TO {db:Identifier}.ingest_counts_local AS
SELECT toStartOfMinute(now()) AS ingested_minute, sum(views) AS views, toUInt64(0) AS dead_letters
FROM {db:Identifier}.views_by_minute_local;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingest_counts_dead_letters_mv ON CLUSTER '{cluster}' TO {db:Identifier}.ingest_counts_local AS
SELECT toStartOfMinute(now()) AS ingested_minute, toUInt64(0) AS views, count() AS dead_letters
FROM {db:Identifier}.views_dead_letter_local;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingested_offsets_mv ON CLUSTER '{cluster}' TO {db:Identifier}.ingested_offsets_local AS
SELECT tupleElement(p, 1) AS partition, max(tupleElement(p, 2)) AS next_offset
FROM {db:Identifier}.last_hour_arrivals_local
ARRAY JOIN arrayZip(tupleElement(progress, 1), tupleElement(progress, 2)) AS p
GROUP BY partition;
