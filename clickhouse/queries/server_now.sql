-- ClickHouse's own clock: the reference for ingestion times in views_touched.
SELECT toUnixTimestamp64Milli(now64(3)) AS now_ms
