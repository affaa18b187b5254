-- Views counted and dead letters kept since the database was created: what ingestion has achieved, for metrics.
-- Reads the small per-minute ingest_counts table (migration 0008), never the per-video counts.
SELECT sum(views) AS views_counted, sum(dead_letters) AS dead_letters
FROM {db:Identifier}.ingest_counts
