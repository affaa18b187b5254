-- Top K videos by all-time views; ties broken by video_id ascending (byte order).
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_total
GROUP BY video_id
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
