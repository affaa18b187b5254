-- The last-hour state of some videos: a key lookup (the state is ordered by video_id). Videos without views in it
-- are absent.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_last_hour
WHERE video_id IN (SELECT arrayJoin({videos:Array(String)}))
GROUP BY video_id
