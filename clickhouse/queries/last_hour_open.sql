-- The views of the minutes of the window not closed yet (after closed_through, from window_start to current_minute),
-- read live from the minutes' on-time counts, of the videos that can reach the list: those of the state's top (`known`), and
-- those whose open views reach min_views (see outsiderFloor in src/top-k/last-hour.ts).
SELECT video_id, sum(on_time) AS views
FROM {db:Identifier}.views_by_minute
WHERE minute > {closed_through:DateTime('UTC')} AND minute >= {window_start:DateTime('UTC')}
  AND minute <= {current_minute:DateTime('UTC')}
GROUP BY video_id
HAVING views >= {min_views:UInt64} OR video_id IN (SELECT arrayJoin({known:Array(String)}))
