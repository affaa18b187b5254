-- Top K videos by views whose event hour lies in [start, end), from what arrived (views_recent: every block's views by
-- event hour, in a database younger than its two hours): any range of whole hours. The service ranks tumbling windows
-- from their own grain (clickhouse/queries/topk_period.sql), which the rollup fills from views_recent; this path reads
-- past the rollup, so a recount against it checks the rollup too (test/support/clickhouse.ts).
-- Ties are broken by video_id ascending (byte order), so every instance returns the same list.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_recent
WHERE hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')}
GROUP BY video_id
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
