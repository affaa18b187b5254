-- Exact all-time totals of some videos: a key lookup, reading about one granule per video.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_total
WHERE video_id IN (SELECT arrayJoin({videos:Array(String)}))
GROUP BY video_id
