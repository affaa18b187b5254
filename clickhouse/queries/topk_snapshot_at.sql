-- The list of one window as it was at an instant: the newest stored snapshot computed at or before it (a refresh
-- stores a list only when it changed), within the day the table keeps (GET /views/top-k?movement=true compares
-- last-hour and all-time with the list one hour ago). The table is keyed (window, computed_at, rank): the inner
-- query reads backwards from the instant and stops at the first snapshot, the outer one reads that snapshot's rows.
SELECT window, window_start, window_end, computed_at, rank, video_id, views
FROM {db:Identifier}.topk_snapshots
WHERE window = {window:String}
  AND computed_at = (
      SELECT computed_at
      FROM {db:Identifier}.topk_snapshots
      WHERE window = {window:String}
        AND computed_at <= {at:DateTime64(3, 'UTC')}
        AND computed_at > {at:DateTime64(3, 'UTC')} - INTERVAL 1 DAY
      ORDER BY window DESC, computed_at DESC
      LIMIT 1
  )
ORDER BY rank
SETTINGS force_primary_key = 1
