-- The Kafka engine table and its view on every node of a cluster (CLICKHOUSE_CLUSTER), created by the service after
-- it made the topic (src/ingest/cluster-queue.ts), once per cluster under the schema lock: the same two statements as
-- clickhouse/queue/views_queue_exactly_once.sql and views_queue_mv.sql (block per poll, strict parsing), ON CLUSTER.
-- A cluster ingests exactly once only: offsets in Keeper, at one path for the whole cluster, where each node is a
-- replica named by its shard and replica macros ('{shard}-{replica}', unique across the cluster) and takes its share of
-- the partitions. A block replayed after a crash is the same block, cut the same way by the Distributed table, and each
-- shard's Replicated tables drop it by their deduplication; so the Kafka engine's inserts through Distributed must be
-- synchronous (distributed_foreground_insert = 1 in the servers' default profile, docker/cluster/clickhouse.xml):
-- a background send would batch blocks and lose their identity.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_queue ON CLUSTER '{cluster}'
(
    video_id String,
    ts       String
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = {kafka_brokers:String},
    kafka_topic_list = {kafka_topic:String},
    kafka_group_name = {kafka_group:String},
    kafka_keeper_path = {kafka_keeper_path:String},
    kafka_replica_name = '{shard}-{replica}',
    kafka_format = {kafka_format:String},
    kafka_num_consumers = {kafka_consumers:UInt32},
    kafka_thread_per_consumer = 1,
    kafka_max_block_size = {kafka_max_block_size:UInt32},
    kafka_flush_interval_ms = 1,
    kafka_poll_timeout_ms = {kafka_flush_interval_ms:UInt32},
    kafka_handle_error_mode = 'stream',
    input_format_json_read_numbers_as_strings = 1,
    input_format_json_read_objects_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_parsed AS
WITH multiIf(
        match(ts, '^[0-9]{1,16}$'), fromUnixTimestamp64Milli(toInt64(ts), 'UTC'),
        match(ts, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'),
            parseDateTime64BestEffortOrNull(upper(ts), 3, 'UTC'),
        NULL) AS parsed_time
SELECT
    video_id,
    parsed_time AS event_time,
    multiIf(
        _error != '', concat('unparseable message: ', _error),
        video_id = '', 'video_id is missing or empty',
        NOT isValidUTF8(video_id), 'video_id is not valid UTF-8',
        length(video_id) > 256, 'video_id is longer than 256 bytes',
        ts = '', 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, toJSONString(map('video_id', video_id, 'ts', ts)))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    ifNull(_timestamp_ms, now64(3, 'UTC')) AS appended_at
FROM {db:Identifier}.views_queue;
