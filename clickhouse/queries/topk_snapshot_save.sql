-- Stores the lists one refresh changed (src/top-k/snapshot.repository.ts), in one insert, so one part, whatever their
-- number: the i-th list is window `windows[i]`, its j-th video `videos[i][j]` at rank j with `views[i][j]` views.
-- All-time has no bounds: its window_start and window_end are NULL.
INSERT INTO {db:Identifier}.topk_snapshots (window, window_start, window_end, computed_at, rank, video_id, views)
SELECT
    list.1,
    list.2,
    list.3,
    list.4,
    entry.1,
    entry.2,
    entry.3
FROM
(
    SELECT arrayJoin(arrayZip(
        {windows:Array(String)},
        {window_starts:Array(Nullable(DateTime64(3, 'UTC')))},
        {window_ends:Array(Nullable(DateTime64(3, 'UTC')))},
        {computed_ats:Array(DateTime64(3, 'UTC'))},
        {videos:Array(Array(String))},
        {views:Array(Array(UInt64))}
    )) AS list
)
ARRAY JOIN arrayZip(range(1, length(list.5) + 1), list.5, list.6) AS entry
