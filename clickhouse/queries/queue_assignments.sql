-- The partitions each consumer of this database's queue table holds, with the offset the engine has for each and the
-- size of a block recorded but not committed yet (exactly once: an intent in Keeper, NULL when there is none). Read
-- while a queue table is about to be replaced (src/clickhouse/ingest-queue.ts settleQueue).
SELECT
    assignments.partition_id AS partitions,
    assignments.current_offset AS offsets,
    assignments.intent_size AS intents
FROM system.kafka_consumers
WHERE database = {db:String} AND table = 'views_queue'
