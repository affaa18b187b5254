-- The Kafka engine table and its view on every node of a cluster (CLICKHOUSE_CLUSTER), created by the service after
-- it made the topic (src/ingest/cluster-queue.ts), once per cluster under the schema lock: the same two statements as
-- clickhouse/queue/views_queue_exactly_once.sql and views_queue_mv.sql (block per poll, strict parsing), ON CLUSTER.
-- A cluster ingests exactly once only: offsets in Keeper, at one path for the whole cluster, where each node is a
-- replica named by its shard and replica macros ('{shard}-{replica}', unique across the cluster) and takes its share of
-- the partitions. A block replayed after a crash is the same block, cut the same way by the Distributed table, and each
-- shard's Replicated tables drop it by their deduplication; so the Kafka engine's inserts through Distributed must be
-- synchronous (distributed_foreground_insert = 1 in the servers' default profile, docker/cluster/clickhouse.xml):
-- a background send would batch blocks and lose their identity.
--
-- VIEW_FIELD_TYPE is set by the service (src/clickhouse/ingest-queue.ts queueSql): Dynamic for JSONEachRow, so each
-- field is typed as the producer sent it (a JSON string is a String, a JSON integer an Int64 or UInt64, and so on)
-- and views_queue_mv refuses a number as video_id instead of counting its text ("9.09e2"), as POST /views does
-- (docs/ingest-and-security.md, "One definition of a valid view"); String for TSV, where every field is text.
-- Strings are never guessed into dates or numbers (the input_format_try_infer_* settings). A key other than video_id and ts, a key twice, or a lone surrogate escape make the whole message a dead
-- letter (a parse error), named by views_queue_mv. The COMMENT names this definition: a queue table with another one
-- is recreated at start (src/clickhouse/ingest-queue.ts QUEUE_DEFINITION).
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_queue ON CLUSTER '{cluster}'
(
    video_id VIEW_FIELD_TYPE,
    ts       VIEW_FIELD_TYPE
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
    input_format_json_read_numbers_as_strings = 0,
    input_format_json_read_objects_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_json_throw_on_bad_escape_sequence = 1,
    input_format_skip_unknown_fields = 0,
    input_format_try_infer_dates = 0,
    input_format_try_infer_datetimes = 0
COMMENT 'viewrank views_queue 2: typed fields';

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_parsed AS
WITH
    dynamicType(q.video_id::Dynamic) AS id_type,
    ifNull(dynamicElement(q.video_id::Dynamic, 'String'), '') AS id,
    dynamicType(q.ts::Dynamic) AS ts_type,
    -- A JSON integer is epoch milliseconds by its digits (-5 and 17 digits fail the pattern below, as their text would).
    multiIf(ts_type = 'String', ifNull(dynamicElement(q.ts::Dynamic, 'String'), ''), ts_type IN ('Int64', 'UInt64'), toString(q.ts), '') AS ts_text,
    -- The key a parse error names, if any: a duplicate or unknown key, or a string with a lone surrogate escape.
    extract(_error, 'JSONEachRow format: (.*): \\(at row') AS error_key,
    extract(_error, 'while reading the value of key ([^)]*)\\)') AS error_value_key,
    multiIf(
        match(ts_text, '^[0-9]{1,16}$'), fromUnixTimestamp64Milli(toInt64(ts_text), 'UTC'),
        match(ts_text, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'),
            parseDateTime64BestEffortOrNull(upper(ts_text), 3, 'UTC'),
        NULL) AS parsed_time
SELECT
    id AS video_id,
    parsed_time AS event_time,
    -- The reasons POST /views gives, word for word (src/ingest/view-events.ts VIEW_PROBLEMS).
    multiIf(
        -- A field again once both were read is "unknown" to the engine: it is the same fault, a key twice.
        _error LIKE 'Duplicate field found%' OR (_error LIKE 'Unknown field found%' AND error_key IN ('video_id', 'ts')),
            concat(error_key, ' appears twice'),
        _error LIKE 'Unknown field found%', concat(error_key, ' is not a field of a view (only video_id and ts)'),
        error_value_key = 'video_id' AND _error LIKE '%surrogate%', 'video_id is not valid UTF-8',
        error_value_key = 'ts' AND _error LIKE '%surrogate%', 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        _error != '', concat('unparseable message: ', _error),
        id_type = 'None' OR (id_type = 'String' AND id = ''), 'video_id is missing or empty',
        id_type != 'String', 'video_id must be a string',
        NOT isValidUTF8(id), 'video_id is not valid UTF-8',
        length(id) > 256, 'video_id is longer than 256 bytes',
        ts_type = 'None' OR (ts_type = 'String' AND ts_text = ''), 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, concat('{"video_id":', ifNull(toJSONString(q.video_id::Dynamic), 'null'), ',"ts":', ifNull(toJSONString(q.ts::Dynamic), 'null'), '}'))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    ifNull(_timestamp_ms, now64(3, 'UTC')) AS appended_at
FROM {db:Identifier}.views_queue AS q;
