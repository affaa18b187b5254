-- The newest stored list of every window, in rank order.
SELECT window, window_start, window_end, computed_at, rank, video_id, views
FROM {db:Identifier}.topk_snapshots
WHERE (window, computed_at) IN (SELECT window, max(computed_at) FROM {db:Identifier}.topk_snapshots GROUP BY window)
ORDER BY window, rank
