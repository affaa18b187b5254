-- How much each video outside the current list grew in a window (event hours in [start, end)) among the blocks
-- ingested since `since`: those that grew by at least min_delta, and the most any other grew. The incremental
-- refresh needs no more (see src/top-k/incremental.ts): listed videos are looked up anyway. Overlapping reads
-- count a block twice; an upper bound is all that is needed.
SELECT
    arrayMap(t -> t.1, grown) AS grown_videos,
    arrayMap(t -> t.2, grown) AS grown_views,
    max_other
FROM
(
    SELECT
        groupArrayIf((video_id, d), d >= {min_delta:UInt64}) AS grown,
        maxIf(d, d < {min_delta:UInt64}) AS max_other
    FROM
    (
        SELECT video_id, sum(views) AS d
        FROM {db:Identifier}.views_recent
        WHERE ingested_at >= fromUnixTimestamp64Milli({since_ms:Int64})
          AND hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')}
          AND video_id NOT IN (SELECT arrayJoin({listed:Array(String)}))
        GROUP BY video_id
    )
)
