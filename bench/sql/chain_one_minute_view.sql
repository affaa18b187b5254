-- A candidate chain for issue #36 (bench/chain-designs.ts), beside the migrations' one in the same database: the chain
-- of 0015 with each raw view aggregated once, as migration 0016 makes it. One view by (minute, video) writes the
-- counts, the on-time counts that last-hour needs (last_hour_arrivals_mv's second aggregation of the raw rows, gone)
-- and the Kafka progress as a number per group instead of maxMap's arrays: the greatest
-- (partition << 40) + offset + 1 of the group's rows. Exact for a block of one partition (exactly once); for a block
-- of several (at least once) it may only understate a partition's progress, never overstate it.
CREATE TABLE {db:Identifier}.two_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;

CREATE TABLE {db:Identifier}.two_by_minute
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64,
    on_time  UInt64,
    progress SimpleAggregateFunction(max, UInt64)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL 3 HOUR
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW {db:Identifier}.two_by_minute_mv TO {db:Identifier}.two_by_minute AS
WITH
    error = '' AS valid,
    toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS event_minute
SELECT
    if(valid, event_minute, toDateTime(0, 'UTC')) AS minute,
    if(valid, video_id, '') AS video_id,
    countIf(valid) AS views,
    countIf(valid AND appended_at < event_minute + INTERVAL 60 SECOND + toIntervalMillisecond(30001)) AS on_time,
    max(bitShiftLeft(partition, 40) + offset + 1) AS progress
FROM {db:Identifier}.two_parsed
GROUP BY minute, video_id;

CREATE TABLE {db:Identifier}.two_offsets ENGINE = AggregatingMergeTree ORDER BY partition
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT * FROM {db:Identifier}.ingested_offsets LIMIT 0;

CREATE MATERIALIZED VIEW {db:Identifier}.two_offsets_mv TO {db:Identifier}.two_offsets AS
SELECT bitShiftRight(progress, 40) AS partition, max(bitAnd(progress, 1099511627775)) AS next_offset
FROM {db:Identifier}.two_by_minute
GROUP BY partition;

-- The grains and records as the migrations make them (TTLs, granules), with exactly once's deduplication window.
CREATE TABLE {db:Identifier}.two_by_hour (hour DateTime('UTC'), video_id String, views UInt64)
ENGINE = SummingMergeTree PARTITION BY toYYYYMM(hour) ORDER BY (hour, video_id) TTL hour + INTERVAL 35 DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384,
    non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_by_day (day DateTime('UTC'), video_id String, views UInt64)
ENGINE = SummingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, video_id) TTL day + INTERVAL 35 DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384,
    non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_by_month (month DateTime('UTC'), video_id String, views UInt64)
ENGINE = SummingMergeTree PARTITION BY toYear(month) ORDER BY (month, video_id) TTL month + INTERVAL 13 MONTH
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384,
    non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_total (video_id String, views UInt64)
ENGINE = SummingMergeTree ORDER BY video_id
SETTINGS index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384, non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_recent (ingested_at DateTime64(3, 'UTC'), hour DateTime('UTC'), video_id String, views UInt64)
ENGINE = MergeTree PARTITION BY toStartOfHour(ingested_at) ORDER BY (ingested_at, video_id) TTL toDateTime(ingested_at) + INTERVAL 2 HOUR
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_ingest_counts (ingested_minute DateTime('UTC'), views UInt64, dead_letters UInt64)
ENGINE = SummingMergeTree ORDER BY ingested_minute SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.two_dead_letter
ENGINE = MergeTree PARTITION BY toYYYYMMDD(received_at) ORDER BY (received_at, topic, partition, offset)
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT * FROM {db:Identifier}.views_dead_letter LIMIT 0;

CREATE MATERIALIZED VIEW {db:Identifier}.two_by_hour_mv TO {db:Identifier}.two_by_hour AS
SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views FROM {db:Identifier}.two_by_minute
WHERE video_id != '' GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.two_by_day_mv TO {db:Identifier}.two_by_day AS
SELECT toStartOfDay(minute) AS day, video_id, sum(views) AS views FROM {db:Identifier}.two_by_minute
WHERE video_id != '' GROUP BY day, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.two_by_month_mv TO {db:Identifier}.two_by_month AS
SELECT toStartOfMonth(minute) AS month, video_id, sum(views) AS views FROM {db:Identifier}.two_by_minute
WHERE video_id != '' GROUP BY month, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.two_total_mv TO {db:Identifier}.two_total AS
SELECT video_id, sum(views) AS views FROM {db:Identifier}.two_by_minute
WHERE video_id != '' GROUP BY video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.two_recent_mv TO {db:Identifier}.two_recent AS
SELECT now64(3, 'UTC') AS ingested_at, toStartOfHour(minute) AS hour, video_id, sum(views) AS views FROM {db:Identifier}.two_by_minute
WHERE video_id != '' GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.two_ingest_counts_mv TO {db:Identifier}.two_ingest_counts AS
SELECT toStartOfMinute(now()) AS ingested_minute, sum(views) AS views, toUInt64(0) AS dead_letters FROM {db:Identifier}.two_by_minute;

CREATE MATERIALIZED VIEW {db:Identifier}.two_dead_letter_mv TO {db:Identifier}.two_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.two_parsed
WHERE error != '';

CREATE MATERIALIZED VIEW {db:Identifier}.two_ingest_counts_dead_letters_mv TO {db:Identifier}.two_ingest_counts AS
SELECT toStartOfMinute(now()) AS ingested_minute, toUInt64(0) AS views, count() AS dead_letters FROM {db:Identifier}.two_dead_letter;
