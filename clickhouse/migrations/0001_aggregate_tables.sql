-- Counting tables: views per video at minute and hour grain, and all-time totals.
-- SummingMergeTree folds rows with the same key at merge time, so every read must still sum(views) GROUP BY.
-- Parameters are bound by the migration runner (src/clickhouse/migrations.ts); nothing is spliced into text.

-- Partitions are coarse on purpose: one Kafka block may carry late events from many periods, and ClickHouse
-- refuses a block that touches more than max_partitions_per_insert_block (100) partitions; the Kafka engine
-- would retry such a block forever. Views older than max_event_age_days (at most 95) are dead-lettered before
-- they get here, so a block spans at most 96 days of minute partitions and 4 months of hour partitions.

-- Minute grain feeds the sliding last-hour window; kept a little over what that window needs.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_minute
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS ttl_only_drop_parts = 1;

-- Hour grain serves the hour, day and month windows; kept a little over a month.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_by_hour
(
    hour     DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id String,
    views    UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, video_id)
TTL hour + INTERVAL {hour_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1;

-- All-time totals per video; never expires.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_total
(
    video_id String,
    views    UInt64
)
ENGINE = SummingMergeTree
ORDER BY video_id;

-- Hour rows are rolled up from each block the minute table receives (already aggregated per minute),
-- so the hour and total views cost a fraction of re-reading raw events.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_hour_mv TO {db:Identifier}.views_by_hour AS
SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_total_mv TO {db:Identifier}.views_total AS
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
GROUP BY video_id;
