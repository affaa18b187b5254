-- Adds (sign 1) or subtracts (sign -1) one minute's frozen counts to the last-hour state
-- (run with insert_deduplication_token 'add:<minute>' or 'subtract:<minute>').
INSERT INTO {db:Identifier}.views_last_hour (video_id, views)
SELECT frozen.video_id, {sign:Int8} * toInt64(frozen.views)
FROM {db:Identifier}.last_hour_minutes AS frozen
WHERE frozen.minute = {minute:DateTime('UTC')}
ORDER BY frozen.video_id
