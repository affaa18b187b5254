-- The newest block views_recent holds: a MergeTree numbers a part in the step that makes it visible, so every block
-- up to this one is visible too (migration 0017). Read from the parts, not the rows.
SELECT toString(max(max_block_number)) AS newest
FROM system.parts
WHERE database = {db:String} AND table = 'views_recent' AND active
