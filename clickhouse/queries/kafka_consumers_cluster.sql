-- kafka_consumers.sql on a cluster (CLICKHOUSE_CLUSTER): the Kafka engine consumers of every node, with the view
-- errors of every node listed as each consumer's, as on one node (clusterAllReplicas: every replica of every shard).
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
           (SELECT groupArray(last_error_message) FROM clusterAllReplicas({cluster:String}, system.errors)
            WHERE last_error_time >= now() - INTERVAL 60 SECOND
              AND position(last_error_message, concat('while pushing to view ', {db:String}, '.')) > 0),
           [])) AS exception_texts
FROM clusterAllReplicas({cluster:String}, system.kafka_consumers)
WHERE database = {db:String} AND table = 'views_queue'
