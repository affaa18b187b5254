-- ClickHouse's own clock: the reference for ingestion times in views_recent (ingested_at), read before each refresh.
SELECT toUnixTimestamp64Milli(now64(3)) AS now_ms
