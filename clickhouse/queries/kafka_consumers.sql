-- The Kafka engine consumers of our queue table, as ClickHouse sees them (assignments, last poll, errors).
SELECT
    consumer_id,
    assignments.topic AS topics,
    assignments.partition_id AS partitions,
    assignments.current_offset AS offsets,
    num_messages_read,
    last_poll_time,
    last_commit_time,
    num_commits,
    exceptions.text AS exception_texts
FROM system.kafka_consumers
WHERE database = {db:String} AND table = 'views_queue'
