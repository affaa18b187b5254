-- views_recent's hourly partitions the service drops: older than {keep_hours} of ingestion time (ClickHouse's clock,
-- as the TTL it replaces) and rolled up whole. Never the one holding the newest block: a MergeTree that starts again
-- numbers its next block after the greatest one its parts hold, so that part keeps the numbering above what was
-- rolled up, even after two quiet hours and a restart.
SELECT partition_id
FROM system.parts
WHERE database = {db:String} AND table = 'views_recent' AND active
GROUP BY partition_id
HAVING max(max_time) < now() - toIntervalHour({keep_hours:UInt32})
   AND max(max_block_number) <= {done:UInt64}
   AND max(max_block_number) < (
       SELECT max(max_block_number) FROM system.parts WHERE database = {db:String} AND table = 'views_recent' AND active
   )
ORDER BY partition_id
