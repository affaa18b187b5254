-- The Kafka engine consumers of our queue table, as ClickHouse sees them (assignments, last poll, errors).
-- The engine that keeps its offsets in Keeper (INGEST_GUARANTEE=exactly-once) records no exceptions there: with
-- {keeper_errors:UInt8} = 1, the failures of the last minute to write into this database's views (system.errors,
-- "… while pushing to view <db>.…") are listed as every consumer's exceptions instead.
SELECT
    consumer_id,
    assignments.topic AS topics,
    assignments.partition_id AS partitions,
    assignments.current_offset AS offsets,
    num_messages_read,
    num_commits,
    last_poll_time,
    last_commit_time,
    arrayConcat(
        exceptions.text,
        if({keeper_errors:UInt8} = 1,
           (SELECT groupArray(last_error_message) FROM system.errors
            WHERE last_error_time >= now() - INTERVAL 60 SECOND
              AND position(last_error_message, concat('while pushing to view ', {db:String}, '.')) > 0),
           [])) AS exception_texts
FROM system.kafka_consumers
WHERE database = {db:String} AND table = 'views_queue'
