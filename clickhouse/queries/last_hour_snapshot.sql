-- Freezes one minute's counts as they are now (run with insert_deduplication_token 'snapshot:<minute>').
-- Columns are qualified: in ClickHouse a SELECT alias named like a column would capture the WHERE.
INSERT INTO {db:Identifier}.last_hour_minutes (minute, video_id, views)
SELECT {minute:DateTime('UTC')}, src.video_id, sum(src.views)
FROM {db:Identifier}.views_by_minute AS src
WHERE src.minute = {minute:DateTime('UTC')}
GROUP BY src.video_id
ORDER BY src.video_id
