-- The hour and all-time tables get the small granules of 0010's day and month tables, for the same reason: the
-- incremental refresh looks ~1000 videos up in them every few seconds. A table's granularity is fixed when it is
-- created, so each is rebuilt: a new table, the rows copied, the names swapped, the view re-pointed at it.
-- Ingestion pauses meanwhile (as in 0009 and 0010), so no block lands in the old table after the copy. Re-running
-- after a failure is safe: leftovers of the failed run are dropped first, and the copy reads the current table.
DETACH TABLE IF EXISTS {db:Identifier}.views_queue_mv;
DROP TABLE IF EXISTS {db:Identifier}.views_by_hour_rebuilt;
DROP TABLE IF EXISTS {db:Identifier}.views_total_rebuilt;
DROP TABLE IF EXISTS {db:Identifier}.views_by_hour_replaced;
DROP TABLE IF EXISTS {db:Identifier}.views_total_replaced;
CREATE TABLE {db:Identifier}.views_by_hour_rebuilt
(
    hour     DateTime('UTC') COMMENT 'start of the UTC hour of the event time',
    video_id String,
    views    UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, video_id)
TTL hour + INTERVAL {hour_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

INSERT INTO {db:Identifier}.views_by_hour_rebuilt SELECT hour, video_id, views FROM {db:Identifier}.views_by_hour;

CREATE TABLE {db:Identifier}.views_total_rebuilt
(
    video_id String,
    views    UInt64
)
ENGINE = SummingMergeTree
ORDER BY video_id
SETTINGS index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 16384;

INSERT INTO {db:Identifier}.views_total_rebuilt SELECT video_id, views FROM {db:Identifier}.views_total;

DROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_total_mv;
RENAME TABLE {db:Identifier}.views_by_hour TO {db:Identifier}.views_by_hour_replaced,
             {db:Identifier}.views_by_hour_rebuilt TO {db:Identifier}.views_by_hour,
             {db:Identifier}.views_total TO {db:Identifier}.views_total_replaced,
             {db:Identifier}.views_total_rebuilt TO {db:Identifier}.views_total;
DROP TABLE {db:Identifier}.views_by_hour_replaced;
DROP TABLE {db:Identifier}.views_total_replaced;

-- As in 0001.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_hour_mv TO {db:Identifier}.views_by_hour AS
SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_total_mv TO {db:Identifier}.views_total AS
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
GROUP BY video_id;

ATTACH TABLE IF NOT EXISTS {db:Identifier}.views_queue_mv;
