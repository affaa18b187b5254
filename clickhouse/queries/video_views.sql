-- Some videos' counts in every window at one instant (GET /videos/{videoId}/views; the requests that arrive while a
-- lookup runs are looked up together in the next one): a primary-key lookup in each window's table, never a scan.
-- The tables are keyed (period, video_id) or video_id, so each video reads about one granule a table; last-hour reads
-- the minutes already frozen into it (last_hour_minutes, what the state added for each) and the later ones live, as
-- topk_last_hour.sql ranks them: one small range per minute of the window. A video without views has no row.
SELECT
    video_id,
    sumIf(views, w = 'hour') AS hour,
    sumIf(views, w = 'day') AS day,
    sumIf(views, w = 'month') AS month,
    sumIf(views, w = 'all-time') AS all_time,
    sumIf(views, w = 'last-hour') AS last_hour
FROM
(
    SELECT 'hour' AS w, video_id, toInt64(views) AS views FROM {db:Identifier}.views_by_hour
    WHERE hour = {hour:DateTime('UTC')} AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
    UNION ALL
    SELECT 'day', video_id, toInt64(views) FROM {db:Identifier}.views_by_day
    WHERE day = {day:DateTime('UTC')} AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
    UNION ALL
    SELECT 'month', video_id, toInt64(views) FROM {db:Identifier}.views_by_month
    WHERE month = {month:DateTime('UTC')} AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
    UNION ALL
    SELECT 'all-time', video_id, toInt64(views) FROM {db:Identifier}.views_total
    WHERE video_id IN (SELECT arrayJoin({videos:Array(String)}))
    UNION ALL
    SELECT 'last-hour', video_id, toInt64(views) FROM {db:Identifier}.last_hour_minutes
    WHERE minute >= {window_start:DateTime('UTC')} AND minute <= {closed_through:DateTime('UTC')}
      AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
    UNION ALL
    SELECT 'last-hour', video_id, toInt64(on_time) FROM {db:Identifier}.views_by_minute
    WHERE minute > {closed_through:DateTime('UTC')} AND minute >= {window_start:DateTime('UTC')}
      AND minute <= {current_minute:DateTime('UTC')} AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
)
GROUP BY video_id
-- ClickHouse refuses to run a lookup here that cannot use its table's primary key, rather than scan the table. One
-- thread: a lookup reads a granule a table, and starting a pool of threads for it cost more than the read (4.3 ms a
-- table with the default, 2.5 ms with one, in chDB here).
SETTINGS force_primary_key = 1, max_threads = 1
