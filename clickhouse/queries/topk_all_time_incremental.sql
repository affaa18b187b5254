-- Incremental all-time top K: the previous list plus the videos touched since `since`, totals looked up by key.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_total
WHERE video_id IN {previous:Array(String)}
   OR video_id IN (SELECT video_id FROM {db:Identifier}.views_touched WHERE ingested_at >= fromUnixTimestamp64Milli({since_ms:Int64}))
GROUP BY video_id
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
