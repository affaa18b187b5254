-- Top K of the sliding last hour: the maintained state (closed minutes in the window) plus the minutes of the window
-- not closed yet, read live from the minutes' on-time counts: normally the current minute and one before it, more while
-- ingestion lags. Never re-reads the closed part of the hour.
SELECT video_id, sum(views) AS views
FROM
(
    SELECT video_id, views FROM {db:Identifier}.views_last_hour
    UNION ALL
    SELECT video_id, toInt64(on_time) AS views
    FROM {db:Identifier}.views_by_minute
    WHERE minute > {closed_through:DateTime('UTC')} AND minute >= {window_start:DateTime('UTC')}
      AND minute <= {current_minute:DateTime('UTC')}
)
GROUP BY video_id
HAVING views > 0
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
