-- The sliding hour by Kafka's clock, not by the consumer's (issue #13).
-- A view is on time for last-hour if its message reached Kafka (the broker's append time, _timestamp_ms on a topic
-- with message.timestamp.type=LogAppendTime) within the late tolerance of the end of its minute. Whether ingestion
-- lagged, or the service was down, then changes nothing: the on-time views of a minute are counted in
-- last_hour_arrivals whenever they are ingested, and a minute is frozen only once ClickHouse holds every message
-- Kafka had appended by that instant (src/topk/ingest-watermark.service.ts compares Kafka's offsets by time with
-- ingested_offsets below).
-- Ingestion pauses while this runs (the queue's view is dropped first, as in 0009), so the backfill and the new view
-- see the same rows.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;

-- The broker's append time of each row's message (the producer's time on a CreateTime topic).
ALTER TABLE {db:Identifier}.views_parsed ADD COLUMN IF NOT EXISTS appended_at DateTime64(3, 'UTC');

-- The tolerance is part of the view below: recorded here so that a service configured otherwise refuses to start.
CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_settings
(
    late_tolerance_ms UInt32
)
ENGINE = ReplacingMergeTree
ORDER BY tuple();

INSERT INTO {db:Identifier}.last_hour_settings
SELECT {late_tolerance_ms:UInt32} WHERE (SELECT count() FROM {db:Identifier}.last_hour_settings) = 0;

-- On-time views per minute and video: what last-hour counts, frozen per minute into last_hour_minutes.
-- Each inserted block also carries, per Kafka partition, the offset after the newest message it holds (progress),
-- on a marker row ('' at 1970-01-01) when none of its rows is an on-time view. A row of the block and the progress
-- of the block arrive in the same insert, so ingested_offsets (fed from this table's inserts, after they are
-- written) never runs ahead of the on-time counts.
CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_arrivals
(
    minute   DateTime('UTC') COMMENT 'start of the UTC minute of the event time',
    video_id String,
    views    UInt64 COMMENT 'views whose message reached Kafka by the end of the minute plus the late tolerance',
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64))) COMMENT 'Kafka partition -> next offset, at insert'
)
ENGINE = SummingMergeTree(views)
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS ttl_only_drop_parts = 1;

-- Minutes not yet closed when this migration runs: their views so far count as on time, as the minute-row snapshot
-- they replace would have counted them.
INSERT INTO {db:Identifier}.last_hour_arrivals (minute, video_id, views)
SELECT src.minute, src.video_id, sum(src.views)
FROM {db:Identifier}.views_by_minute AS src
WHERE src.minute >= now() - INTERVAL 2 HOUR
  AND (SELECT count() FROM {db:Identifier}.last_hour_arrivals) = 0 -- re-running after a failure must not add twice
GROUP BY src.minute, src.video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.last_hour_arrivals_mv TO {db:Identifier}.last_hour_arrivals AS
WITH error = '' AND appended_at < toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) + INTERVAL 60 SECOND
         + toIntervalMillisecond({late_tolerance_ms:UInt32} + 1) AS on_time
SELECT
    if(on_time, toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')), toDateTime(0, 'UTC')) AS minute,
    if(on_time, video_id, '') AS video_id,
    countIf(on_time) AS views,
    maxMap([partition], [offset + 1]) AS progress
FROM {db:Identifier}.views_parsed
GROUP BY minute, video_id;

-- Per partition of the views topic, the offset after the newest message ClickHouse has written: one row per
-- partition after merges.
CREATE TABLE IF NOT EXISTS {db:Identifier}.ingested_offsets
(
    partition   UInt64,
    next_offset SimpleAggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingested_offsets_mv TO {db:Identifier}.ingested_offsets AS
SELECT tupleElement(p, 1) AS partition, max(tupleElement(p, 2)) AS next_offset
FROM {db:Identifier}.last_hour_arrivals
ARRAY JOIN arrayZip(tupleElement(progress, 1), tupleElement(progress, 2)) AS p
GROUP BY partition;

-- As in 0009, plus the message's append time. Created last: consumption resumes here.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
WITH if(match(ts, '^-?[0-9]{1,16}$'),
        fromUnixTimestamp64Milli(toInt64(ts), 'UTC'),
        parseDateTime64BestEffortOrNull(ts, 3, 'UTC')) AS parsed_time
SELECT
    video_id,
    parsed_time AS event_time,
    multiIf(
        _error != '', concat('unparseable message: ', _error),
        video_id = '', 'video_id is missing or empty',
        match(video_id, '^\\s*[\\[{]') AND isValidJSON(video_id), 'video_id is a JSON object or array, not a string',
        length(video_id) > 256, 'video_id is longer than 256 bytes',
        ts = '', 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, toJSONString(map('video_id', video_id, 'ts', ts)))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    ifNull(_timestamp_ms, now64(3, 'UTC')) AS appended_at
FROM {db:Identifier}.views_queue;
