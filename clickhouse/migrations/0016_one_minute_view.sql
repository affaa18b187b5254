-- Each raw view aggregated once (issue #36). Until now every block was grouped by (minute, video) twice: by
-- views_by_minute_mv for the counts, and again by last_hour_arrivals_mv for last-hour's on-time counts, which also
-- built two one-element arrays per view for the Kafka progress (maxMap): about half of the chain's time per view.
-- Now views_by_minute carries both counts and the progress, from one view; last_hour_arrivals and its view go.
-- - on_time: the views whose message reached Kafka by the end of their minute plus the late tolerance (what
--   last_hour_arrivals.views was); last-hour's queries read it here.
-- - progress: the greatest (partition << 40) + offset + 1 among the group's rows, a number instead of arrays. An
--   exactly-once block holds one partition, so ingested_offsets gets each block's exact next offset; a block of
--   several partitions (at least once) can only understate one, and the watermark then also takes the consumer
--   group's commit (src/top-k/ingest-watermark.ts).
-- - A block's rows that count for nothing (dead letters) still carry its progress, on a marker row ('' at
--   1970-01-01, no views), as last_hour_arrivals had; the views from the minutes skip it.
-- Ingestion pauses while this runs (the queue's view is dropped first, as in 0012; the service creates it again
-- after the migrations), so the on-time counts copied below and the new view see the same rows. Re-running after a
-- failure is safe: every step is IF [NOT] EXISTS, and the copy runs only while no row has on-time counts.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;

ALTER TABLE {db:Identifier}.views_by_minute
    ADD COLUMN IF NOT EXISTS on_time UInt64 COMMENT 'views whose message reached Kafka by the end of the minute plus the late tolerance' AFTER views,
    ADD COLUMN IF NOT EXISTS progress SimpleAggregateFunction(max, UInt64) COMMENT '(Kafka partition << 40) + next offset, at insert; 0 on rows copied in' AFTER on_time;

DROP VIEW IF EXISTS {db:Identifier}.last_hour_arrivals_mv;
DROP VIEW IF EXISTS {db:Identifier}.ingested_offsets_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_by_minute_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_by_day_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_by_month_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_total_mv;
DROP VIEW IF EXISTS {db:Identifier}.views_recent_mv;

-- The on-time counts of the minutes still kept, as rows of no views (the grains' views are dropped above, so they
-- see nothing of this; the ingestion count adds zero).
INSERT INTO {db:Identifier}.views_by_minute (minute, video_id, views, on_time)
SELECT src.minute, src.video_id, 0, sum(src.views)
FROM {db:Identifier}.last_hour_arrivals AS src
WHERE src.video_id != ''
  AND (SELECT count() FROM {db:Identifier}.views_by_minute WHERE on_time > 0) = 0 -- re-running must not add twice
GROUP BY src.minute, src.video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_minute_mv TO {db:Identifier}.views_by_minute AS
WITH
    error = '' AS valid,
    toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS event_minute
SELECT
    if(valid, event_minute, toDateTime(0, 'UTC')) AS minute,
    if(valid, video_id, '') AS video_id,
    countIf(valid) AS views,
    countIf(valid AND appended_at < event_minute + INTERVAL 60 SECOND + toIntervalMillisecond({late_tolerance_ms:UInt32} + 1)) AS on_time,
    max(bitShiftLeft(partition, 40) + offset + 1) AS progress
FROM {db:Identifier}.views_parsed
GROUP BY minute, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingested_offsets_mv TO {db:Identifier}.ingested_offsets AS
SELECT bitShiftRight(progress, 40) AS partition, max(bitAnd(progress, 1099511627775)) AS next_offset
FROM {db:Identifier}.views_by_minute
WHERE progress > 0
GROUP BY partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_hour_mv TO {db:Identifier}.views_by_hour AS
SELECT toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
WHERE video_id != ''
GROUP BY hour, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_day_mv TO {db:Identifier}.views_by_day AS
SELECT toStartOfDay(minute) AS day, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
WHERE video_id != ''
GROUP BY day, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_month_mv TO {db:Identifier}.views_by_month AS
SELECT toStartOfMonth(minute) AS month, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
WHERE video_id != ''
GROUP BY month, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_total_mv TO {db:Identifier}.views_total AS
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
WHERE video_id != ''
GROUP BY video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_recent_mv TO {db:Identifier}.views_recent AS
SELECT now64(3, 'UTC') AS ingested_at, toStartOfHour(minute) AS hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_minute
WHERE video_id != ''
GROUP BY hour, video_id;

DROP TABLE IF EXISTS {db:Identifier}.last_hour_arrivals SYNC;
