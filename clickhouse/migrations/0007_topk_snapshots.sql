-- Every top-K list the service computed (written when it changed), so that a restarted service answers at once from
-- the newest one and analysts can see how a ranking evolved. rank is 1-based; all-time has no window bounds.
CREATE TABLE IF NOT EXISTS {db:Identifier}.topk_snapshots
(
    window       LowCardinality(String),
    window_start Nullable(DateTime64(3, 'UTC')),
    window_end   Nullable(DateTime64(3, 'UTC')),
    computed_at  DateTime64(3, 'UTC'),
    rank         UInt16,
    video_id     String,
    views        UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(computed_at)
ORDER BY (window, computed_at, rank)
TTL toDateTime(computed_at) + INTERVAL {snapshot_retention_hours:UInt32} HOUR;
