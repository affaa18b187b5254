-- Running totals of what ingestion did, per minute of ingestion time, so that a metrics poll sums a few rows instead
-- of every video's counts. Kept forever: after merges it is one row per minute (about 525k rows a year).
CREATE TABLE IF NOT EXISTS {db:Identifier}.ingest_counts
(
    ingested_minute DateTime('UTC') COMMENT 'when ClickHouse wrote the rows (not the views'' event time)',
    views           UInt64 COMMENT 'views counted',
    dead_letters    UInt64 COMMENT 'messages or rows set aside in views_dead_letter'
)
ENGINE = SummingMergeTree
ORDER BY ingested_minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingest_counts_views_mv TO {db:Identifier}.ingest_counts AS
SELECT toStartOfMinute(now()) AS ingested_minute, sum(views) AS views, toUInt64(0) AS dead_letters
FROM {db:Identifier}.views_by_minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.ingest_counts_dead_letters_mv TO {db:Identifier}.ingest_counts AS
SELECT toStartOfMinute(now()) AS ingested_minute, toUInt64(0) AS views, count() AS dead_letters
FROM {db:Identifier}.views_dead_letter;
