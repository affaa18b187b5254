-- The final list of a past window, if stored: the earliest one, so that every instance serves the same bytes even
-- when two computed it. One key-range lookup.
SELECT computed_at, videos, views
FROM {db:Identifier}.topk_final
WHERE window = {window:String} AND window_start = {start:DateTime('UTC')}
ORDER BY computed_at
LIMIT 1
