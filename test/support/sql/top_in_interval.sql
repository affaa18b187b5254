-- Top K videos by views whose event hour lies in [start, end), from the hour rows: any range of whole hours. The service
-- ranks tumbling windows from their own grain (clickhouse/queries/topk_period.sql); this independent path is what
-- tests recount against (test/support/clickhouse.ts).
-- Ties are broken by video_id ascending (byte order), so every instance returns the same list.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_hour
WHERE hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')}
GROUP BY video_id
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
