-- Freezes one closed minute's on-time views (run with insert_deduplication_token 'snapshot:<minute>'). The minute is
-- closed only once ClickHouse holds every message Kafka appended before its end plus the tolerance, so nothing
-- on time is still on its way; views that arrive later were late by Kafka's clock and never enter these rows.
-- Columns are qualified: in ClickHouse a SELECT alias named like a column would capture the WHERE.
INSERT INTO {db:Identifier}.last_hour_minutes (minute, video_id, views)
SELECT {minute:DateTime('UTC')}, src.video_id, sum(src.on_time)
FROM {db:Identifier}.views_by_minute AS src
WHERE src.minute = {minute:DateTime('UTC')}
GROUP BY src.video_id
HAVING sum(src.on_time) > 0
ORDER BY src.video_id
