-- Every row read from Kafka passes through this Null table once, already parsed and validated,
-- and is routed from here: valid rows to the minute counts, everything else to the dead letters.
-- (Null keeps nothing itself; it exists so the parse and validation expressions are written once.)
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_parsed
(
    video_id    String,
    event_time  Nullable(DateTime64(3, 'UTC')),
    error       String COMMENT 'empty for a valid view',
    raw_message String COMMENT 'filled only when error is not empty',
    topic       LowCardinality(String),
    partition   UInt64,
    offset      UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_minute_mv TO {db:Identifier}.views_by_minute AS
SELECT toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS minute, video_id, count() AS views
FROM {db:Identifier}.views_parsed
WHERE error = ''
GROUP BY minute, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_dead_letter_mv TO {db:Identifier}.views_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.views_parsed
WHERE error != '';
