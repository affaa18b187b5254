-- Exact totals of some videos in one tumbling period: a key lookup, reading about one granule per video.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.{table:Identifier}
WHERE {period:Identifier} = {start:DateTime('UTC')}
  AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
GROUP BY video_id
