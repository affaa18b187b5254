-- The sliding last-hour window, kept by adding each closed minute's counts and subtracting them when the minute
-- leaves the hour (src/topk/sliding.ts plans the steps; src/topk/sliding-window.service.ts runs them).
-- Every step is an INSERT … SELECT with a deterministic insert_deduplication_token, so a step repeated after a crash
-- or by a second scheduler is dropped by ClickHouse: no minute is ever applied twice.

-- Each minute's counts frozen when the minute closed (its end plus the late tolerance). Adding and subtracting
-- both read these rows, so what is subtracted is exactly what was added, whatever arrived for that minute since.
CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_minutes
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
TTL minute + INTERVAL {minute_retention_hours:UInt32} HOUR
SETTINGS non_replicated_deduplication_window = 10000;

-- Per-video views of the closed minutes now in the window. Signed: a subtraction is an insert of negative counts,
-- and rows that sum to zero disappear at merge, so the table holds about one row per video viewed in the hour.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_last_hour
(
    video_id String,
    views    Int64
)
ENGINE = SummingMergeTree
ORDER BY video_id
SETTINGS non_replicated_deduplication_window = 10000;

-- The ledger: which step ran for which minute. A step is recorded after it took effect; a step found unrecorded
-- is run again (its dedup token makes that safe), so a crash between the two loses and doubles nothing.
CREATE TABLE IF NOT EXISTS {db:Identifier}.last_hour_ledger
(
    minute     DateTime('UTC'),
    step       Enum8('snapshot' = 1, 'add' = 2, 'subtract' = 3),
    views      UInt64 COMMENT 'views in the frozen snapshot of the minute',
    late_views UInt64 COMMENT 'on subtract: views of the minute that arrived after it closed, left out of last-hour',
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, step)
TTL minute + INTERVAL 35 DAY;
