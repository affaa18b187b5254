-- How much each video outside a window's current list grew among the blocks ingested since that window's last
-- refresh, for the four growing windows at once (hour, day, month, all-time: slot i of each array parameter, row i of
-- the answer), in one read of views_recent: those that grew by at least the slot's min_delta, and the most any other
-- grew. The incremental refresh needs no more (see src/top-k/incremental.ts): listed videos are looked up anyway.
-- A window's growth counts the views of event hours in [start, end) ingested at or after its since_ms. Overlapping
-- reads count a block twice; an upper bound is all that is needed.
SELECT
    slot.1 AS window_slot,
    arrayMap(t -> t.1, slot.2) AS grown_videos,
    arrayMap(t -> t.2, slot.2) AS grown_views,
    slot.3 AS max_other
FROM
(
    WITH {min_deltas:Array(UInt64)} AS min_delta
    SELECT arrayJoin([
        (1, groupArrayIf((video_id, d1), d1 >= min_delta[1] AND NOT listed1), maxIf(d1, d1 < min_delta[1] AND NOT listed1)),
        (2, groupArrayIf((video_id, d2), d2 >= min_delta[2] AND NOT listed2), maxIf(d2, d2 < min_delta[2] AND NOT listed2)),
        (3, groupArrayIf((video_id, d3), d3 >= min_delta[3] AND NOT listed3), maxIf(d3, d3 < min_delta[3] AND NOT listed3)),
        (4, groupArrayIf((video_id, d4), d4 >= min_delta[4] AND NOT listed4), maxIf(d4, d4 < min_delta[4] AND NOT listed4))
    ]) AS slot
    FROM
    (
        WITH
            arrayMap(ms -> fromUnixTimestamp64Milli(ms, 'UTC'), {since_ms:Array(Int64)}) AS since,
            {starts:Array(DateTime('UTC'))} AS starts,
            {ends:Array(DateTime('UTC'))} AS ends
        SELECT
            video_id,
            sumIf(views, ingested_at >= since[1] AND hour >= starts[1] AND hour < ends[1]) AS d1,
            sumIf(views, ingested_at >= since[2] AND hour >= starts[2] AND hour < ends[2]) AS d2,
            sumIf(views, ingested_at >= since[3] AND hour >= starts[3] AND hour < ends[3]) AS d3,
            sumIf(views, ingested_at >= since[4] AND hour >= starts[4] AND hour < ends[4]) AS d4,
            video_id IN (SELECT arrayJoin({listed_1:Array(String)})) AS listed1,
            video_id IN (SELECT arrayJoin({listed_2:Array(String)})) AS listed2,
            video_id IN (SELECT arrayJoin({listed_3:Array(String)})) AS listed3,
            video_id IN (SELECT arrayJoin({listed_4:Array(String)})) AS listed4
        FROM {db:Identifier}.views_recent
        WHERE ingested_at >= arrayMin(since)
        GROUP BY video_id
    )
)
