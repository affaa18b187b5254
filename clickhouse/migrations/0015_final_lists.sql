-- The final list of each past hour, day and month (GET /views/top-k?at=…), computed once when first asked for after the
-- window closed plus the late tolerance, and served byte-identical from then on. A list is one row (videos[i] has
-- views[i], in rank order). Two instances may both store one: readers take the earliest computed_at, so every
-- instance serves the same list.
CREATE TABLE IF NOT EXISTS {db:Identifier}.topk_final
(
    window       LowCardinality(String) COMMENT 'hour, day or month',
    window_start DateTime('UTC'),
    window_end   DateTime('UTC') COMMENT 'exclusive',
    computed_at  DateTime64(3, 'UTC') COMMENT 'the service clock when the list was computed',
    videos       Array(String),
    views        Array(UInt64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(window_start)
ORDER BY (window, window_start, computed_at)
TTL window_end + INTERVAL {final_list_retention_days:UInt32} DAY;
