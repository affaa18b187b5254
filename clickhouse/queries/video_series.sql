-- Some videos' views per bucket of one grain (GET /videos/{videoId}/views/series; the requests for one range that
-- arrive while a read runs are read together in the next one): a primary-key range read of the grain's counting
-- table, never a scan. The table and its time column come from the service's fixed list of grains
-- (views_by_minute.minute, views_by_hour.hour, views_by_day.day, views_by_month.month), never from a request; each is
-- keyed (bucket, video_id), so the range of buckets and the ids read about one granule a bucket. A bucket without
-- views has no row: the service fills in the zeros.
SELECT
    video_id,
    toUInt32({bucket:Identifier}) AS start,
    sum(views) AS views
FROM {db:Identifier}.{table:Identifier}
WHERE {bucket:Identifier} >= {first:DateTime('UTC')}
  AND {bucket:Identifier} <= {last:DateTime('UTC')}
  AND video_id IN (SELECT arrayJoin({videos:Array(String)}))
GROUP BY video_id, start
ORDER BY video_id, start
-- Refuses to run unless the table's primary key bounds the read, as video_views.sql; one thread, as a lookup.
SETTINGS force_primary_key = 1, max_threads = 1
