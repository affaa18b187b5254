-- Candidate chains for issue #36 (bench/chain-designs.ts), beside the migrations' one in the same database; not the
-- service's schema. The first: each raw view aggregated by one view into one table that holds every grain (minute,
-- hour, day, month, all time) and, on its minute rows, the on-time views and Kafka progress that last-hour needs.
CREATE TABLE {db:Identifier}.fan_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;

CREATE TABLE {db:Identifier}.fan_counts
(
    grain    UInt8 COMMENT '1 minute, 2 hour, 3 day, 4 month, 5 all time',
    bucket   DateTime('UTC'),
    video_id String,
    views    UInt64,
    on_time  UInt64,
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64)))
)
ENGINE = SummingMergeTree((views, on_time))
PARTITION BY (grain, toYYYYMM(bucket))
ORDER BY (grain, bucket, video_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE {db:Identifier}.fan_dead_letter
ENGINE = MergeTree PARTITION BY toYYYYMMDD(received_at) ORDER BY (received_at, topic, partition, offset)
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT * FROM {db:Identifier}.views_dead_letter LIMIT 0;

CREATE MATERIALIZED VIEW {db:Identifier}.fan_counts_mv TO {db:Identifier}.fan_counts AS
WITH
    toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS m,
    appended_at < m + INTERVAL 60 SECOND + toIntervalMillisecond(30001) AS on_time_view
SELECT
    g.1 AS grain,
    g.2 AS bucket,
    video_id,
    count() AS views,
    countIf(on_time_view) AS on_time,
    maxMapIf([partition], [offset + 1], grain = 1) AS progress
FROM {db:Identifier}.fan_parsed
ARRAY JOIN [(1, m), (2, toStartOfHour(m)), (3, toStartOfDay(m)), (4, toStartOfMonth(m)), (5, toDateTime(0, 'UTC'))] AS g
WHERE error = ''
GROUP BY grain, bucket, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.fan_dead_letter_mv TO {db:Identifier}.fan_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.fan_parsed
WHERE error != '';

-- The second candidate: the raw views aggregated once, by minute and video (as views_by_minute_mv does), and those
-- rows fanned out to the five grains; one table without a partition key, so a block writes one part. Retention per
-- grain would then be a row TTL (merges), not dropped partitions.
CREATE TABLE {db:Identifier}.fan2_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;

CREATE TABLE {db:Identifier}.fan2_counts
(
    grain    UInt8 COMMENT '1 minute, 2 hour, 3 day, 4 month, 5 all time',
    bucket   DateTime('UTC'),
    video_id String,
    views    UInt64,
    on_time  UInt64,
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64)))
)
ENGINE = SummingMergeTree((views, on_time))
ORDER BY (grain, bucket, video_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW {db:Identifier}.fan2_counts_mv TO {db:Identifier}.fan2_counts AS
SELECT
    g.1 AS grain,
    g.2 AS bucket,
    video_id,
    views,
    if(g.1 = 1, on_time, 0) AS on_time,
    if(g.1 = 1, progress, (CAST([], 'Array(UInt64)'), CAST([], 'Array(UInt64)'))) AS progress
FROM
(
    WITH toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS m
    SELECT
        m,
        video_id,
        count() AS views,
        countIf(appended_at < m + INTERVAL 60 SECOND + toIntervalMillisecond(30001)) AS on_time,
        maxMap([partition], [offset + 1]) AS progress
    FROM {db:Identifier}.fan2_parsed
    WHERE error = ''
    GROUP BY m, video_id
)
ARRAY JOIN [(1, m), (2, toStartOfHour(m)), (3, toStartOfDay(m)), (4, toStartOfMonth(m)), (5, toDateTime(0, 'UTC'))] AS g;

CREATE MATERIALIZED VIEW {db:Identifier}.fan2_dead_letter_mv TO {db:Identifier}.fan_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.fan2_parsed
WHERE error != '';

-- The third: per block, only the minutes (counts, on-time counts and Kafka progress in one row per minute and video)
-- and the dead letters; the hours, days, months and totals would be rolled up from closed minutes on a schedule
-- (the refresh adding the open minutes), which this benchmark does not time.
CREATE TABLE {db:Identifier}.min_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;

CREATE TABLE {db:Identifier}.min_counts
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64,
    on_time  UInt64,
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64)))
)
ENGINE = SummingMergeTree((views, on_time))
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW {db:Identifier}.min_counts_mv TO {db:Identifier}.min_counts AS
WITH toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS m
SELECT
    m AS minute,
    video_id,
    count() AS views,
    countIf(appended_at < m + INTERVAL 60 SECOND + toIntervalMillisecond(30001)) AS on_time,
    maxMap([partition], [offset + 1]) AS progress
FROM {db:Identifier}.min_parsed
WHERE error = ''
GROUP BY minute, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.min_dead_letter_mv TO {db:Identifier}.fan_dead_letter AS
SELECT now64(3, 'UTC') AS received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.min_parsed
WHERE error != '';

-- Where the minutes-only block's time goes: the same view alone (no dead-letter view beside it), then that into a table
-- without the deduplication window.
CREATE TABLE {db:Identifier}.min1_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;
CREATE TABLE {db:Identifier}.min2_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;

CREATE TABLE {db:Identifier}.min2_counts
(
    minute   DateTime('UTC'),
    video_id String,
    views    UInt64,
    on_time  UInt64,
    progress SimpleAggregateFunction(maxMap, Tuple(Array(UInt64), Array(UInt64)))
)
ENGINE = SummingMergeTree((views, on_time))
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, video_id);

CREATE MATERIALIZED VIEW {db:Identifier}.min1_counts_mv TO {db:Identifier}.min_counts AS
WITH toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS m
SELECT
    m AS minute,
    video_id,
    count() AS views,
    countIf(appended_at < m + INTERVAL 60 SECOND + toIntervalMillisecond(30001)) AS on_time,
    maxMap([partition], [offset + 1]) AS progress
FROM {db:Identifier}.min1_parsed
WHERE error = ''
GROUP BY minute, video_id;

CREATE MATERIALIZED VIEW {db:Identifier}.min2_counts_mv TO {db:Identifier}.min2_counts AS
WITH toStartOfMinute(toDateTime(assumeNotNull(event_time), 'UTC')) AS m
SELECT
    m AS minute,
    video_id,
    count() AS views,
    countIf(appended_at < m + INTERVAL 60 SECOND + toIntervalMillisecond(30001)) AS on_time,
    maxMap([partition], [offset + 1]) AS progress
FROM {db:Identifier}.min2_parsed
WHERE error = ''
GROUP BY minute, video_id;

CREATE TABLE {db:Identifier}.null_parsed ENGINE = Null AS SELECT * FROM {db:Identifier}.views_parsed LIMIT 0;
