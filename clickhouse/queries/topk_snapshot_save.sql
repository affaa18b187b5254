-- Stores one precomputed list (src/top-k/snapshot.repository.ts): the i-th video of `videos` at rank i, with the i-th
-- count of `views`. All-time has no bounds: window_start and window_end are then NULL.
INSERT INTO {db:Identifier}.topk_snapshots (window, window_start, window_end, computed_at, rank, video_id, views)
SELECT
    {window:String},
    {window_start:Nullable(DateTime64(3, 'UTC'))},
    {window_end:Nullable(DateTime64(3, 'UTC'))},
    {computed_at:DateTime64(3, 'UTC')},
    entry.1,
    entry.2,
    entry.3
FROM (
    SELECT arrayJoin(arrayZip(range(1, length({videos:Array(String)}) + 1), {videos:Array(String)}, {views:Array(UInt64)})) AS entry
)
