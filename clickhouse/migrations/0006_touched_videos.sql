-- Which videos received views, by ingestion time: the incremental top-K refresh ranks only the previous top-K plus
-- the videos touched since the previous refresh (counts only grow within a window), looking their totals up by key.
-- Fed from the minute table's blocks, which are already aggregated per (minute, video); ingested_at is ClickHouse's
-- own clock when the block was written, which is what "since the previous refresh" must be measured in.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_touched
(
    ingested_at DateTime64(3, 'UTC'),
    video_id    String
)
ENGINE = MergeTree
PARTITION BY toStartOfHour(ingested_at)
ORDER BY (ingested_at, video_id)
TTL toDateTime(ingested_at) + INTERVAL 2 HOUR
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_touched_mv TO {db:Identifier}.views_touched AS
SELECT now64(3, 'UTC') AS ingested_at, video_id
FROM {db:Identifier}.views_by_minute
GROUP BY video_id;
