-- The top n of the last-hour state alone (closed minutes in the window), read again only when a step changed the
-- state (src/top-k/last-hour.service.ts): the refreshes between add the open minutes to it (last_hour_open.sql).
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_last_hour
GROUP BY video_id
HAVING views > 0
ORDER BY views DESC, video_id ASC
LIMIT {n:UInt32}
